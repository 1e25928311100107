"""A project its developer has edited keeps every edit, and the fix lands."""

from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest

from tests.support.git import commit_all
from tests.support.releases import (
    ENV_LINE_ADDED_BY_TEMPLATE,
    Releases,
    files_with_conflict_markers,
    locked_version,
    rejected_hunks,
    render_and_commit,
    replace_once,
    unmerged_paths,
    update,
)

USER_TIME_ZONE = 'TIME_ZONE = "Europe/Berlin"'
USER_README_SECTION = "## Our deployment\n\nStaging lives at staging.example.org.\n"
USER_ENV_LINE = "DJANGO_LOG_LEVEL=DEBUG"
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
    """A setting, the README, an app of their own, and a local .env value."""
    settings = project / "config" / "settings.py"
    replace_once(settings, r"^TIME_ZONE = .*$", USER_TIME_ZONE)
    replace_once(settings, r'^    "users",$', '    "users",\n    "notes",')
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\n" + USER_README_SECTION)
    for name, text in NOTES_APP.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    env_file = project / ".env"
    env_file.write_text(env_file.read_text() + USER_ENV_LINE + "\n")
    commit_all(project, "Our own app and settings")


@pytest.fixture(scope="module")
def edited(releases: Releases, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    project = render_and_commit(releases, tmp_path_factory.mktemp("edited") / "site")
    edit_like_a_developer(project)
    env_before = (project / ".env").read_bytes()
    update(project)
    return {"project": project, "env_before": env_before}


def test_update_of_an_edited_project_leaves_no_conflicts(edited):
    project = edited["project"]

    assert files_with_conflict_markers(project) == []
    assert rejected_hunks(project) == []
    assert unmerged_paths(project) == []


def test_update_lands_the_fix_in_an_edited_project(edited, releases):
    project = edited["project"]
    settings = (project / "config" / "settings.py").read_text().splitlines()

    assert releases.new_session_age in settings
    assert locked_version((project / "uv.lock").read_text(), "django") == releases.new_django


def test_update_keeps_the_developers_settings(edited):
    settings = (edited["project"] / "config" / "settings.py").read_text().splitlines()

    assert USER_TIME_ZONE in settings
    assert '    "notes",' in settings


def test_update_keeps_the_developers_readme_section(edited):
    assert USER_README_SECTION in (edited["project"] / "README.md").read_text()


def test_update_keeps_the_developers_own_app(edited):
    project = edited["project"]

    for name, text in NOTES_APP.items():
        assert (project / name).read_text() == text, f"{name} changed"


def test_update_never_overwrites_the_env_file(edited):
    project = edited["project"]
    env_text = (project / ".env").read_text()

    assert (project / ".env").read_bytes() == edited["env_before"]
    assert USER_ENV_LINE in env_text
    assert ENV_LINE_ADDED_BY_TEMPLATE not in env_text


def test_update_recreates_a_deleted_env_file_from_the_new_release(releases, tmp_path):
    project = render_and_commit(releases, tmp_path / "site")
    (project / ".env").unlink()

    update(project)

    assert ENV_LINE_ADDED_BY_TEMPLATE in (project / ".env").read_text()
