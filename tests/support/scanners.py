"""Scanners no one here wrote, installed from their registries by the tests, pinned.

MDN HTTP Observatory and axe-core (accessibility, run in the browser tests' pages) come
from npm into a fresh directory per run (npm's own cache makes the next install
quick); DJ Checkup and bandit run through uvx, each in a throwaway environment built
from the shared uv cache.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.support.renders import child_env

OBSERVATORY = "@mdn/mdn-http-observatory@1.4.8"
AXE_CORE = "axe-core@4.14.1"
DJCHECKUP = "djcheckup==1.0.0"
BANDIT = "bandit==1.9.4"
NODE_MINIMUM_MAJOR = 20  # the Observatory's "engines"
OBSERVATORY_SCRIPT = Path(__file__).with_name("observatory_scan.mjs")


def _completed(
    args: list[str], env: dict[str, str], timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def install_observatory(directory: Path) -> Path:
    """Install MDN HTTP Observatory into `directory`; return its package directory."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        raise RuntimeError(
            f"MDN HTTP Observatory needs Node.js {NODE_MINIMUM_MAJOR}+ with npm on PATH: "
            "install Node.js from nodejs.org or NodeSource (Debian's nodejs is too old)."
        )
    version = _completed([node, "--version"], env=dict(os.environ)).stdout.strip()
    if int(version.lstrip("v").split(".")[0]) < NODE_MINIMUM_MAJOR:
        raise RuntimeError(
            f"MDN HTTP Observatory needs Node.js {NODE_MINIMUM_MAJOR}+, found {version}."
        )
    # --ignore-scripts: its postinstall downloads the HSTS preload and TLD lists from
    # sites out of reach here. An empty preload list only withholds the bonus for a
    # domain already on the browsers' preload list, which localhost never is.
    installed = _completed(
        [npm, "install", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error",
         "--prefix", str(directory), OBSERVATORY],
        env=dict(os.environ),
    )  # fmt: skip
    if installed.returncode != 0:
        raise RuntimeError(f"npm install {OBSERVATORY} failed:\n{installed.stderr}")
    package = directory / "node_modules" / "@mdn" / "mdn-http-observatory"
    (package / "conf" / "hsts-preload.json").write_text("{}")
    return package


def install_axe_core(directory: Path) -> str:
    """Install axe-core from npm into `directory`; return its script (axe.min.js)."""
    npm = shutil.which("npm")
    if not npm:
        raise RuntimeError("axe-core comes from npm: install Node.js with npm (.ci/run needs it).")
    installed = _completed(
        [npm, "install", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error",
         "--prefix", str(directory), AXE_CORE],
        env=dict(os.environ),
    )  # fmt: skip
    if installed.returncode != 0:
        raise RuntimeError(f"npm install {AXE_CORE} failed:\n{installed.stderr}")
    return (directory / "node_modules" / "axe-core" / "axe.min.js").read_text()


def observatory_scan(package: Path, host: str, paths: list[str], ca_file: Path) -> dict[str, Any]:
    """Scan https://host/PATH for each path (ports 80 and 443), trusting `ca_file`."""
    env = {**child_env(), "NODE_EXTRA_CA_CERTS": str(ca_file)}
    scanned = _completed(
        ["node", str(OBSERVATORY_SCRIPT), str(package), host, *paths], env=env, timeout=120
    )
    if scanned.returncode != 0:
        raise RuntimeError(f"the Observatory scan failed:\n{scanned.stdout}{scanned.stderr}")
    report: dict[str, Any] = json.loads(scanned.stdout)
    return report


def dj_checkup(url: str, ca_file: Path) -> dict[str, dict[str, Any]]:
    """DJ Checkup's results for `url` by check name. Its exit code is always 0."""
    checked = _completed(
        ["uvx", "--from", DJCHECKUP, "djcheckup", "--output-json", url],
        env=child_env(REQUESTS_CA_BUNDLE=str(ca_file)),
    )
    try:
        results: list[dict[str, Any]] = json.loads(checked.stdout)["check_results"]
    except (ValueError, KeyError) as error:
        raise RuntimeError(
            f"DJ Checkup printed no results ({error}):\n{checked.stdout}{checked.stderr}"
        ) from None
    return {result["name"]: result for result in results}


def bandit(directory: Path, exclude: list[str]) -> dict[str, Any]:
    """bandit's JSON report on `directory` (all severities; `# nosec` lines skipped)."""
    scanned = _completed(
        ["uvx", BANDIT, "--recursive", str(directory), "--format", "json", "--quiet",
         "--exclude", ",".join(str(directory / name) for name in exclude)],
        env=child_env(),
    )  # fmt: skip
    try:
        report: dict[str, Any] = json.loads(scanned.stdout)
    except ValueError:
        raise RuntimeError(f"bandit printed no report:\n{scanned.stdout}{scanned.stderr}") from None
    return report
