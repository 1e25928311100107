"""Relock the dependencies the template ships: template/uv.lock.jinja.

The file holds one lock body per value of the `api` answer, chosen by Jinja: the
default body and one with the REST API's dependencies. `relock` renders the template
with default answers (api off, then on), runs `uv lock` in each render (the rendered
lock keeps every version unless the arguments say `--upgrade`) and writes the bodies
back with the root package's name templated again. `nox -s lock` runs this
module (`python -m tests.support.lock [uv lock arguments]`); the update tests relock
their temporary releases with the same function.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import copier

LOCK = Path("template") / "uv.lock.jinja"
# The root package's name in the template's lock is rendered from the slug.
ROOT_NAME = 'name = "{{ project_distribution_name }}"'
PROBE_SLUG = "lock_probe"
PROBE_NAME = 'name = "lock-probe"'
API_ON, API_OFF, END = "{% if api -%}\n", "{% else -%}\n", "{% endif %}"


def locked_body(
    template: Path, workspace: Path, api: bool, uv_args: Sequence[str], env: dict[str, str]
) -> str:
    """`uv lock` in a render with this `api` answer; the lock with its root name templated."""
    probe = workspace / f"lock-probe-{'api' if api else 'default'}"
    shutil.rmtree(probe, ignore_errors=True)
    copier.run_copy(
        str(template),
        str(probe),
        data={"project_slug": PROBE_SLUG, "api": api},
        defaults=True,
        vcs_ref="HEAD",
        unsafe=False,
        quiet=True,
    )
    locked = subprocess.run(
        ["uv", "lock", *uv_args], cwd=probe, env=env, capture_output=True, text=True, check=False
    )
    if locked.returncode != 0:
        raise RuntimeError(f"uv lock failed in {probe}:\n{locked.stderr}")
    text = (probe / "uv.lock").read_text()
    shutil.rmtree(probe)
    if text.count(PROBE_NAME) != 1:
        raise RuntimeError(f"expected exactly one {PROBE_NAME!r} in the new lock")
    return text.replace(PROBE_NAME, ROOT_NAME)


def relock(
    template: Path, workspace: Path, uv_args: Sequence[str] = (), env: dict[str, str] | None = None
) -> Path:
    """Write `template`'s uv.lock.jinja anew from `uv lock` in two renders; return its path."""
    env = dict(os.environ) if env is None else env
    bodies = {api: locked_body(template, workspace, api, uv_args, env) for api in (False, True)}
    lock = template / LOCK
    lock.write_text(API_ON + bodies[True] + API_OFF + bodies[False] + END)
    return lock


def lock_body(template_lock: str, api: bool = False) -> str:
    """The body of uv.lock.jinja that a render with this `api` answer gets."""
    if API_OFF not in template_lock:
        return template_lock
    with_api, without_api = template_lock.split(API_OFF, 1)
    return with_api.removeprefix(API_ON) if api else without_api.rsplit(END, 1)[0]


def main() -> None:
    """`nox -s lock`: relock this checkout; arguments go to `uv lock` (e.g. --upgrade)."""
    root = Path(__file__).resolve().parents[2]
    # nox's environment is the session's, not the render's: uv must not see it.
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    env.pop("UV_PROJECT_ENVIRONMENT", None)
    with tempfile.TemporaryDirectory() as workspace:
        lock = relock(root, Path(workspace), sys.argv[1:], env)
    print(f"wrote {lock.relative_to(root)}")


if __name__ == "__main__":
    main()
