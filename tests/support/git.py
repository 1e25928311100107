"""git for the tests: one identity, and committed copies of renders and checkouts.

Commands run through `run` (a minimal environment) with the test identity in the
environment, so no commit depends on the machine's git configuration.
"""

import shutil
from pathlib import Path

from tests.support.renders import run

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Parapet tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_COMMITTER_NAME": "Parapet tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
}


def git(cwd: Path, *args: str) -> str:
    """Run git in `cwd` as the test identity; its output, or an AssertionError."""
    result = run(["git", *args], cwd=cwd, **GIT_IDENTITY)
    assert result.returncode == 0, f"git {' '.join(args)} failed:\n{result.stderr}"
    return result.stdout


def commit_all(cwd: Path, message: str) -> None:
    """Stage everything git does not ignore and commit it (hooks skipped, may be empty)."""
    git(cwd, "add", "-A")
    git(cwd, "commit", "-q", "--no-verify", "--allow-empty", "-m", message)


def init_and_commit(directory: Path, message: str, branch: str = "main") -> Path:
    """Make `directory` a git repository on `branch` with everything in one commit."""
    git(directory, "init", "-q", "-b", branch)
    commit_all(directory, message)
    return directory


def committed_copy(source: Path, destination: Path, message: str = "Render") -> Path:
    """A copy of a render (without its .venv and .git), committed as its developer would."""
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns(".venv", ".git"))
    return init_and_commit(destination, message)
