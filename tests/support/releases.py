"""A template with a security release, and projects updated across it with copier update.

`build_releases` makes a temporary clone of this checkout, independent of the tags
this repository carries, with two tagged releases:

- v1.0.0, the vulnerable release: Django locked one patch release below today's lock,
  with the floor to match, and sessions that last two weeks;
- v1.0.1, the security release: the Django floor raised to today's locked (fixed)
  version, sessions back to one day, and a changed `.env` in the template. It also
  grows as releases do (`add_release_features`): a new app with its own tests, a
  middleware, a route and a dependency, each placed where a release would put it,
  right above the fenced places a team extends (settings.py's apps and middleware,
  urls.py's routes), so an update that keeps a team's edits shows those fences work.

Both releases are relocked as `nox -s lock` relocks (tests/support/lock.py): every
lock body, the REST API's too. Projects are rendered from v1.0.0 and committed
(`render_and_commit`), then updated as users update (`update`: copier update with
defaults, without --trust); the rest inspects what the update left.
"""

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from textwrap import dedent
from typing import Any

import copier
import pytest
import yaml

from tests.support.git import commit_all, git, init_and_commit
from tests.support.lock import LOCK, lock_body, relock
from tests.support.renders import child_env, copy_checkout, run

OLD, NEW = "v1.0.0", "v1.0.1"
# Django's default session lifetime (two weeks) stands for the setting the fix hardens.
OLD_SESSION_AGE = "SESSION_COOKIE_AGE = 60 * 60 * 24 * 14"
ENV_LINE_ADDED_BY_TEMPLATE = "# Added by the template's security release; never copied over yours."
# Small packages a developer might add, in name order. The scenario below adds the last
# one that sorts directly after Django in the lock, so that both pyproject.toml and
# uv.lock conflict with the release's Django bump, whatever else the template locks.
CANDIDATE_DEPENDENCIES = (
    "django-admin-env-notice>=1.0.1",
    "django-allow-cidr>=0.8.0",
    "django-browser-reload>=1.21.0",
    "django-cors-headers>=4.9.0",
)
RESOLVE_COMMAND = "bin/resolve-dependencies"
# What the simulated v1.0.1 adds besides the fix: an app, its middleware, its route,
# and a dependency (pure Python, no dependencies of its own).
RELEASE_APP = "heartbeat"
RELEASE_MIDDLEWARE = "heartbeat.middleware.HeartbeatMiddleware"
RELEASE_ROUTE = 'path("heartbeat/", include("heartbeat.urls")),'
RELEASE_DEPENDENCY = "text-unidecode>=1.3"
RELEASE_FILES = {
    "__init__.py": "",
    "apps.py": dedent(
        """\
        from django.apps import AppConfig


        class HeartbeatConfig(AppConfig):
            \"\"\"A release's new app, in the update test's simulated release.\"\"\"

            name = "heartbeat"
        """
    ),
    "middleware.py": dedent(
        """\
        from collections.abc import Callable

        from django.http import HttpRequest, HttpResponse


        class HeartbeatMiddleware:
            \"\"\"Marks each response, so a test can see the release's middleware runs.\"\"\"

            def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
                self.get_response = get_response

            def __call__(self, request: HttpRequest) -> HttpResponse:
                response = self.get_response(request)
                response.headers["X-Heartbeat"] = "1"
                return response
        """
    ),
    "urls.py": dedent(
        """\
        from django.urls import path

        from heartbeat import views

        urlpatterns = [path("", views.beat, name="heartbeat")]
        """
    ),
    # Public on purpose, as a health check is, and saying why: the walk in the updated
    # project's suite (tests/config/test_walk.py) fails on a public view that does not.
    "views.py": dedent(
        """\
        from django.contrib.auth.decorators import login_not_required
        from django.http import HttpRequest, HttpResponse
        from django.views.decorators.http import require_safe


        @login_not_required
        @require_safe
        def beat(request: HttpRequest) -> HttpResponse:
            \"\"\"Public: uptime monitors ask it without an account; it tells nothing.\"\"\"
            return HttpResponse("ok", content_type="text/plain")
        """
    ),
}
RELEASE_TEST = dedent(
    """\
    def test_release_app_answers_through_its_route_and_middleware(client):
        response = client.get("/heartbeat/", secure=True)

        assert response.status_code == 200
        assert response["X-Heartbeat"] == "1"
    """
)
CONFLICT_MARKER = re.compile(r"^(<{7}|>{7})( |$)", re.MULTILINE)


def replace_once(path: Path, pattern: str, replacement: str) -> None:
    """Edit one line of a file by pattern; fail loudly if the line is not there."""
    text = path.read_text()
    new_text, count = re.subn(pattern, replacement, text, count=1, flags=re.MULTILINE)
    assert count == 1, f"{pattern!r} not found in {path}: the update test needs updating"
    path.write_text(new_text)


def locked_version(lock_text: str, package: str) -> str:
    for entry in tomllib.loads(lock_text)["package"]:
        if entry["name"] == package:
            return str(entry["version"])
    raise AssertionError(f"{package} is not in the lock")


def insert_before(path: Path, marker: str, line: str) -> None:
    """Put `line` just above the one line that starts with `marker` (stripped)."""
    lines = path.read_text().splitlines(keepends=True)
    found = [i for i, text in enumerate(lines) if text.strip().startswith(marker)]
    assert len(found) == 1, f"{marker!r} is not one line of {path}: the update test needs updating"
    indent = lines[found[0]][: len(lines[found[0]]) - len(lines[found[0]].lstrip())]
    lines.insert(found[0], f"{indent}{line}\n")
    path.write_text("".join(lines))


def add_below(path: Path, fence: str, line: str) -> None:
    """Add `line` directly below the fence that starts with `fence` (it may span lines):
    where a team adds its own apps, middleware, routes and template blocks."""
    lines = path.read_text().splitlines(keepends=True)
    found = [i for i, text in enumerate(lines) if text.strip().startswith(fence)]
    assert len(found) == 1, f"{fence!r} is not one line of {path}: the fences moved"
    end = next(i for i in range(found[0], len(lines)) if lines[i].rstrip().endswith("---")
               or lines[i].rstrip().endswith("--- #}"))  # fmt: skip
    lines.insert(end + 1, line + "\n")
    path.write_text("".join(lines))


def add_release_features(template: Path) -> None:
    """What a later release adds besides its fix: an app, middleware, route, dependency."""
    project = template / "template"
    for name, text in RELEASE_FILES.items():
        (project / RELEASE_APP / name).parent.mkdir(parents=True, exist_ok=True)
        (project / RELEASE_APP / name).write_text(text)
    (project / "tests" / RELEASE_APP).mkdir(parents=True, exist_ok=True)
    (project / "tests" / RELEASE_APP / "__init__.py").write_text("")
    (project / "tests" / RELEASE_APP / f"test_{RELEASE_APP}.py").write_text(RELEASE_TEST)
    settings = project / "config" / "settings.py"
    insert_before(settings, "# --- Your apps:", f'"{RELEASE_APP}",')
    insert_before(settings, "# --- Your middleware:", f'"{RELEASE_MIDDLEWARE}",')
    insert_before(project / "config" / "urls.py", "# --- Your routes:", RELEASE_ROUTE)
    replace_once(project / "pyproject.toml.jinja", r'^(\s*)("puremagic>=[^"]+",)$',
                 rf'\1\2\n\1"{RELEASE_DEPENDENCY}",')  # fmt: skip


def previous_patch_release(version: str) -> str:
    major, minor, patch = (int(part) for part in version.split("."))
    assert patch > 0, f"Django {version} has no earlier patch release to start from"
    return f"{major}.{minor}.{patch - 1}"


# --- The template's history ---------------------------------------------------------


@dataclass(frozen=True)
class Releases:
    template: Path
    old_django: str
    new_django: str
    new_session_age: str


def build_releases(workspace: Path) -> Releases:
    """A clone of this checkout with v1.0.0 (vulnerable) and v1.0.1 (the fix) tagged."""
    template = copy_checkout(workspace / "parapet")
    pyproject = template / "template" / "pyproject.toml.jinja"
    settings = template / "template" / "config" / "settings.py"
    lock = template / LOCK
    init_and_commit(template, "This checkout")
    new_django = locked_version(lock_body(lock.read_text()), "django")
    old_django = previous_patch_release(new_django)
    new_session_age = re.search(r"^SESSION_COOKIE_AGE = .*$", settings.read_text(), re.M)
    assert new_session_age, "settings.py no longer sets SESSION_COOKIE_AGE"

    # v1.0.0: the vulnerable release.
    replace_once(pyproject, r'"django>=[^,"]+', f'"django>={old_django}')
    replace_once(settings, r"^SESSION_COOKIE_AGE = .*$", OLD_SESSION_AGE)
    commit_all(template, "Lower the Django floor")
    relock(template, workspace, ["--quiet", "--upgrade-package", f"django=={old_django}"],
           child_env())  # fmt: skip
    commit_all(template, "Release 1.0.0")
    git(template, "tag", OLD)

    # v1.0.1: the security release.
    git(template, "checkout", "-q", "main~2", "--", "template/config/settings.py", str(lock))
    replace_once(pyproject, r'"django>=[^,"]+', f'"django>={new_django}')
    env_file = template / "template" / ".env"
    env_file.write_text(env_file.read_text() + ENV_LINE_ADDED_BY_TEMPLATE + "\n")
    add_release_features(template)
    commit_all(template, "Raise the Django floor, shorten sessions, add an app")
    relock(template, workspace, ["--quiet"], child_env())
    commit_all(template, "Release 1.0.1")
    git(template, "tag", NEW)
    for api in (False, True):
        assert locked_version(lock_body(lock.read_text(), api), "django") == new_django
    return Releases(template, old_django, new_django, new_session_age.group(0))


# --- Projects -------------------------------------------------------------------------


def render(releases: Releases, destination: Path, vcs_ref: str, **data: object) -> Path:
    copier.run_copy(
        str(releases.template),
        str(destination),
        data=data,
        defaults=True,
        vcs_ref=vcs_ref,
        unsafe=False,
        quiet=True,
    )
    return destination


def render_and_commit(releases: Releases, destination: Path, **data: object) -> Path:
    """A project as its developer starts it: rendered from v1.0.0 (with these answers), in git."""
    render(releases, destination, OLD, **data)
    return init_and_commit(destination, f"Render Parapet {OLD}")


def update(project: Path) -> None:
    """`copier update --defaults --conflict inline`, as a user runs it (no --trust)."""
    copier.run_update(
        str(project),
        defaults=True,
        overwrite=True,
        unsafe=False,
        conflict="inline",
        quiet=True,
    )


def project_files(project: Path) -> list[str]:
    """Files as git sees them in the project: tracked and untracked, not ignored."""
    listing = git(project, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
    return sorted({name for name in listing.split("\0") if name and (project / name).is_file()})


def files_with_conflict_markers(project: Path) -> list[str]:
    return [
        name
        for name in project_files(project)
        if CONFLICT_MARKER.search((project / name).read_text(errors="replace"))
    ]


def rejected_hunks(project: Path) -> list[str]:
    return [str(path.relative_to(project)) for path in project.rglob("*.rej")]


def unmerged_paths(project: Path) -> list[str]:
    return sorted(set(git(project, "diff", "--name-only", "--diff-filter=U").split()))


def answers(project: Path) -> dict[str, Any]:
    given: dict[str, Any] = yaml.safe_load((project / ".copier-answers.yml").read_text())
    return given


# --- A dependency next to the one the release bumps ----------------------------------


def dependency_next_to_django(lock_text: str) -> str:
    """The candidate that sorts between Django and the package after it in the lock."""
    names = sorted(entry["name"] for entry in tomllib.loads(lock_text)["package"])
    following = names[names.index("django") + 1]
    fitting = [
        candidate
        for candidate in CANDIDATE_DEPENDENCIES
        if "django" < candidate.split(">=")[0] < following
    ]
    if not fitting:
        pytest.fail(
            f"no candidate dependency sorts between django and {following} in the lock; "
            "add one to CANDIDATE_DEPENDENCIES"
        )
    return fitting[-1]


def add_dependency_next_to_django(project: Path) -> str:
    """The developer lists a package right under Django and relocks."""
    dependency = dependency_next_to_django((project / "uv.lock").read_text())
    replace_once(
        project / "pyproject.toml",
        r'^(\s*)("django>=[^"]+",)$',
        rf'\1\2\n\1"{dependency}",',
    )
    locked = run(["uv", "lock", "--quiet"], cwd=project)
    assert locked.returncode == 0, locked.stderr
    commit_all(project, f"Add {dependency}")
    return dependency
