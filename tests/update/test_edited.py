"""A project its developer has edited keeps every edit across a release, for every answer set.

The edits are the ones every team makes in its first weeks, each in the place the
project fences for it (README, "Your code"): an app of their own in INSTALLED_APPS, a
route with its import in config/urls.py, TIME_ZONE changed, a setting of their own at
the end of settings.py, a footer in base.html, a README section, a package added with
`uv add`, a local .env value. The release they update across brings a security fix
and, as releases do, an app, a middleware, a route and a dependency of its own
(tests/support/releases.py). After `copier update` and, where the dependency lists
conflict, `bin/resolve-dependencies`, nothing may be left conflicted, every edit must
be there, the fix and the release's additions too, and the project's own suite passes.

The whole suite runs in the updated projects whose code differs: each combination of
the optional parts and each Python (FULL_SUITES). The other answer sets change only
rendered text (names, HSTS preload), so they run the parts of the suite that read it:
start-up, the deploy check, the layout and the release's own app (SMOKE_TESTS).
"""

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from textwrap import dedent

import pytest

from tests.support.git import commit_all
from tests.support.releases import (
    ENV_LINE_ADDED_BY_TEMPLATE,
    RELEASE_APP,
    RELEASE_DEPENDENCY,
    RELEASE_MIDDLEWARE,
    RELEASE_ROUTE,
    RESOLVE_COMMAND,
    Releases,
    add_below,
    files_with_conflict_markers,
    locked_version,
    rejected_hunks,
    render_and_commit,
    replace_once,
    unmerged_paths,
    update,
)
from tests.support.renders import ANSWER_SETS, run
from tests.support.suites import Suite, SuiteRuns, running_suites

USER_TIME_ZONE = 'TIME_ZONE = "Europe/Berlin"'
USER_SETTING = "NOTES_PER_PAGE = 20"
USER_APP_LINE = '    "notes",'
USER_ROUTE_IMPORT = "from notes import views as notes_views"
USER_ROUTE = '    path("notes/", notes_views.index, name="notes"),'
USER_FOOTER = '  <footer class="site-footer">Made by our team</footer>'
USER_README_SECTION = "## Our deployment\n\nStaging lives at staging.example.org.\n"
USER_ENV_LINE = "DJANGO_LOG_LEVEL=DEBUG"
USER_PACKAGE = "humanize"
FULL_SUITES = {"default", "python-3.12", "api", "api-without-documents"}
SMOKE_TESTS = ("tests/config", f"tests/{RELEASE_APP}")
NOTES_APP = {
    "notes/__init__.py": "",
    "notes/apps.py": dedent(
        """\
        from django.apps import AppConfig


        class NotesConfig(AppConfig):
            name = "notes"
        """
    ),
    "notes/models.py": dedent(
        """\
        from django.db import models


        class Note(models.Model):
            text = models.TextField()
        """
    ),
    "notes/views.py": dedent(
        """\
        import humanize
        from django.http import HttpRequest, HttpResponse


        def index(request: HttpRequest) -> HttpResponse:
            return HttpResponse(humanize.intcomma(1000), content_type="text/plain")
        """
    ),
    "notes/migrations/__init__.py": "",
    "notes/migrations/0001_initial.py": dedent(
        """\
        from django.db import migrations, models


        class Migration(migrations.Migration):
            initial = True
            dependencies = []
            operations = [
                migrations.CreateModel(
                    name="Note",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("text", models.TextField()),
                    ],
                ),
            ]
        """
    ),
}


def edit_like_a_developer(project: Path) -> None:
    """The edits of a team's first weeks, each where the project fences a place for it."""
    settings = project / "config" / "settings.py"
    replace_once(settings, r"^TIME_ZONE = .*$", USER_TIME_ZONE)
    add_below(settings, "# --- Your apps:", USER_APP_LINE)
    settings.write_text(settings.read_text() + USER_SETTING + "\n")
    urls = project / "config" / "urls.py"
    replace_once(urls, r"^(from config import parts)$", rf"\1\n{USER_ROUTE_IMPORT}")
    add_below(urls, "# --- Your routes:", USER_ROUTE)
    add_below(project / "templates" / "base.html", "{# --- Your additions", USER_FOOTER)
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\n" + USER_README_SECTION)
    for name, text in NOTES_APP.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    added = run(["uv", "add", "--no-sync", "--quiet", USER_PACKAGE], cwd=project)
    assert added.returncode == 0, added.stderr
    env_file = project / ".env"
    env_file.write_text(env_file.read_text() + USER_ENV_LINE + "\n")
    commit_all(project, "Our own app, route, settings, footer and package")


@dataclass
class Updated:
    project: Path
    env_before: bytes
    conflicted: list[str]
    resolved: subprocess.CompletedProcess[str] | None
    synced: subprocess.CompletedProcess[str]


def update_edited(releases: Releases, workspace: Path, answers: str) -> Updated:
    project = render_and_commit(releases, workspace / "site", **ANSWER_SETS[answers])
    edit_like_a_developer(project)
    env_before = (project / ".env").read_bytes()
    update(project)
    conflicted = files_with_conflict_markers(project)
    # What the project's template-update workflow does after `copier update`.
    resolved = run([RESOLVE_COMMAND], cwd=project) if conflicted else None
    synced = run(["uv", "sync", "--locked", "--quiet"], cwd=project)
    return Updated(project, env_before, conflicted, resolved, synced)


@pytest.fixture(scope="module")
def edited_projects(
    releases: Releases, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[dict[str, Updated], SuiteRuns, dict[str, Suite]]]:
    """Every answer set rendered, edited and updated, then each project's suite started."""
    projects = {
        name: update_edited(releases, tmp_path_factory.mktemp(f"edited-{name}"), name)
        for name in ANSWER_SETS
    }
    suites = {
        name: Suite(
            updated.project,
            ("-q", "-m", "not slow", *(() if name in FULL_SUITES else SMOKE_TESTS)),
        )
        for name, updated in projects.items()
        if updated.synced.returncode == 0
    }
    with running_suites(list(suites.values())) as runs:
        yield projects, runs, suites


@pytest.fixture(params=list(ANSWER_SETS))
def edited(
    request: pytest.FixtureRequest,
    edited_projects: tuple[dict[str, Updated], SuiteRuns, dict[str, Suite]],
) -> Updated:
    projects, _, _ = edited_projects
    return projects[str(request.param)]


def test_update_of_an_edited_project_leaves_no_conflicts(edited):
    if edited.resolved is not None:
        assert edited.resolved.returncode == 0, edited.resolved.stdout + edited.resolved.stderr
        assert set(edited.conflicted) <= {"pyproject.toml", "uv.lock"}, (
            f"only the dependency lists may conflict: {edited.conflicted}"
        )
    assert files_with_conflict_markers(edited.project) == []
    assert rejected_hunks(edited.project) == []
    assert unmerged_paths(edited.project) == []


def test_update_lands_the_fix_in_an_edited_project(edited, releases):
    settings = (edited.project / "config" / "settings.py").read_text().splitlines()

    assert releases.new_session_age in settings
    assert locked_version((edited.project / "uv.lock").read_text(), "django") == (
        releases.new_django
    )


def test_update_lands_the_release_s_app_middleware_route_and_dependency(edited):
    settings = (edited.project / "config" / "settings.py").read_text()
    urls = (edited.project / "config" / "urls.py").read_text()
    pyproject = (edited.project / "pyproject.toml").read_text()

    assert (edited.project / RELEASE_APP / "apps.py").is_file()
    assert f'    "{RELEASE_APP}",' in settings.splitlines()
    assert f'    "{RELEASE_MIDDLEWARE}",' in settings.splitlines()
    assert RELEASE_ROUTE in urls
    assert f'"{RELEASE_DEPENDENCY}"' in pyproject
    assert locked_version((edited.project / "uv.lock").read_text(), "text-unidecode")


def test_update_keeps_the_developers_settings(edited):
    settings = (edited.project / "config" / "settings.py").read_text().splitlines()

    assert USER_TIME_ZONE in settings
    assert USER_APP_LINE in settings
    assert settings[-1] == USER_SETTING, "their own setting stays the last line"


def test_update_keeps_the_developers_route_and_its_import(edited):
    urls = (edited.project / "config" / "urls.py").read_text().splitlines()

    assert USER_ROUTE_IMPORT in urls
    assert USER_ROUTE in urls


def test_update_keeps_the_developers_footer(edited):
    assert USER_FOOTER in (edited.project / "templates" / "base.html").read_text().splitlines()


def test_update_keeps_the_developers_readme_section(edited):
    assert USER_README_SECTION in (edited.project / "README.md").read_text()


def test_update_keeps_the_developers_package_and_its_lock(edited):
    pyproject = (edited.project / "pyproject.toml").read_text()

    assert f'"{USER_PACKAGE}>=' in pyproject
    assert locked_version((edited.project / "uv.lock").read_text(), USER_PACKAGE)
    assert edited.synced.returncode == 0, edited.synced.stderr


def test_update_keeps_the_developers_own_app(edited):
    for name, text in NOTES_APP.items():
        assert (edited.project / name).read_text() == text, f"{name} changed"


def test_update_never_overwrites_the_env_file(edited):
    env_text = (edited.project / ".env").read_text()

    assert (edited.project / ".env").read_bytes() == edited.env_before
    assert USER_ENV_LINE in env_text
    assert ENV_LINE_ADDED_BY_TEMPLATE not in env_text


def test_updated_project_s_suite_passes(request, edited, edited_projects):
    _, runs, suites = edited_projects
    name = request.node.callspec.params["edited"]
    assert name in suites, "the updated project did not install: see the package test"

    result = runs.result(suites[name])

    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert " passed" in result.stdout


def test_update_recreates_a_deleted_env_file_from_the_new_release(releases, tmp_path):
    project = render_and_commit(releases, tmp_path / "site")
    (project / ".env").unlink()

    update(project)

    assert ENV_LINE_ADDED_BY_TEMPLATE in (project / ".env").read_text()
