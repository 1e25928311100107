"""Projects rendered from this checkout, and commands run in them.

Renders renders each answer set once per run and syncs each render once; child_env and
run give every command a minimal environment, so nothing of this runner leaks into a
project.
"""

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import copier

ROOT = Path(__file__).resolve().parents[2]

# Awkward but valid free text: quotes, apostrophes, backslashes, non-ASCII letters,
# Markdown and HTML syntax, and text that looks like Jinja.
AWKWARD_TEXT = {
    "project_name": 'Ça "marche" l\'été \\o/ {{ boom }} *à* <b>',
    "description": 'Fête\'s "best" {% raw %} \\n <script>alert(1)</script> `code` [x](y)',
    "author_name": 'Zoë O\'Brien "ZB" \\ {# note #}',
}

ANSWER_SETS: dict[str, dict[str, object]] = {
    "default": {},
    "python-3.12": {"python_version": "3.12"},
    "no-preload": {"hsts_preload": False},
    "python-3.12-no-preload": {"python_version": "3.12", "hsts_preload": False},
    "awkward-text": {**AWKWARD_TEXT, "project_slug": "awkward_site"},
    "api": {"api": True},
    "api-without-documents": {"api": True, "documents": False},
}
# The optional parts (each a Copier question that brings its own files). Every
# combination of them renders lint-clean (tests/test_render.py); the answer sets above
# run the generated suites and deploys of the combinations that matter.
OPTIONAL_PARTS = ("documents", "api")

# Variables a child process may inherit; everything else (DJANGO_*, VIRTUAL_ENV, nox's
# UV_PROJECT_ENVIRONMENT...) would leak this runner's state into the project.
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYENV_ROOT", "PYENV_VERSION",
             "UV_CACHE_DIR", "UV_PYTHON_DOWNLOADS", "UV_INDEX_URL", "UV_DEFAULT_INDEX",
             "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CI")  # fmt: skip


def child_env(**extra: str) -> dict[str, str]:
    """A minimal environment for running uv, pytest or manage.py in a render."""
    env = {key: os.environ[key] for key in INHERITED if key in os.environ}
    env.setdefault("UV_PYTHON_DOWNLOADS", "never")
    env.update(extra)
    return env


# Seconds any command in a render may take (a whole generated suite included).
RUN_TIMEOUT = 600


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run a command in a render with these variables on top of `child_env`.

    The caller asserts on returncode and output.
    """
    return subprocess.run(
        args,
        cwd=cwd,
        env=child_env(**env),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )


def checkout_files(root: Path) -> list[str]:
    """Files of this checkout as git sees them: tracked plus untracked, not ignored."""
    listing = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return [name for name in listing.stdout.split("\0") if name and (root / name).exists()]


def copy_checkout(destination: Path) -> Path:
    """Copy the working tree (with uncommitted edits, file modes kept) to a plain directory."""
    for name in checkout_files(ROOT):
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    return destination


@dataclass
class Renders:
    """Renders each answer set once, and syncs each render's environment once."""

    template: Path
    workspace: Path
    rendered: dict[str, Path] = field(default_factory=dict)
    synced: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)

    def path(self, name: str) -> Path:
        if name not in self.rendered:
            destination = self.workspace / name
            copier.run_copy(
                str(self.template),
                str(destination),
                data=dict(ANSWER_SETS[name]),
                defaults=True,
                unsafe=False,
                quiet=True,
            )
            self.rendered[name] = destination
        return self.rendered[name]

    def sync(self, name: str) -> Path:
        """`uv sync --locked` (dev group included), as a developer does after copying."""
        project = self.path(name)
        if name not in self.synced:
            self.synced[name] = run(["uv", "sync", "--locked"], cwd=project)
        result = self.synced[name]
        assert result.returncode == 0, f"uv sync --locked failed:\n{result.stderr}"
        return project
