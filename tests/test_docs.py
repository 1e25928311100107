"""The documentation says what the code does, and the reverse."""

import json
import shutil
from typing import Any

import pytest

from tests.support.drift import env_vars_read_by_code, find_drift
from tests.support.renders import ROOT

DOCS = ROOT / "docs"


@pytest.mark.parametrize("answers", ["default", "api", "api-without-documents"])
def test_docs_app_json_and_env_example_match_the_code(renders, answers):
    assert find_drift(renders.path(answers), DOCS) == []


def test_the_reader_finds_the_variables_every_part_of_the_project_reads(renders):
    names = env_vars_read_by_code(renders.path("default"))

    # settings.py, gunicorn.conf.py and bin/release, each with its own idiom
    assert {"DJANGO_SECRET_KEY", "EMAIL_URL", "WEB_CONCURRENCY", "PORT", "DATABASE_URL"} <= names


@pytest.fixture
def drifted_project(renders, tmp_path):
    project = shutil.copytree(
        renders.path("default"),
        tmp_path / "project",
        ignore=shutil.ignore_patterns(".venv", ".git"),
    )
    settings = project / "config" / "settings.py"
    settings.write_text(
        settings.read_text()
        + '\nNEW_FEATURE_FLAG = env.bool("DJANGO_NEW_FEATURE", default=False)\n'
    )
    app = json.loads((project / "app.json").read_text())
    del app["env"]["DJANGO_LOG_LEVEL"]
    (project / "app.json").write_text(json.dumps(app))
    return project


def test_deliberate_drift_is_reported(drifted_project):
    problems = find_drift(drifted_project, DOCS)

    assert problems == [
        "DJANGO_NEW_FEATURE is read by the code but missing from docs/environment.md (set by you)",
        "DJANGO_LOG_LEVEL is read by the code but missing from app.json",
        "DJANGO_NEW_FEATURE is read by the code but missing from app.json",
        "DJANGO_NEW_FEATURE is read by the code but missing from .env.example",
        "NEW_FEATURE_FLAG is read by the code but missing from docs/settings.md",
    ]


def test_every_copier_question_is_documented():
    import yaml

    config = yaml.safe_load((ROOT / "copier.yml").read_text())
    questions = {
        k for k, v in config.items() if not k.startswith("_") and v.get("when") is not False
    }
    page = (DOCS / "questions.md").read_text()

    assert {q for q in questions if f"| `{q}` |" not in page} == set()


GROUPS = ["Tutorial", "How-to guides", "Reference", "Explanation"]


def pages(nav: list[dict[str, Any]]) -> list[str]:
    """Every page a nav lists, its sections' pages included."""
    found: list[str] = []
    for entry in nav:
        (target,) = entry.values()
        found.extend(pages(target) if isinstance(target, list) else [target])
    return found


def test_nav_lists_every_page_once_grouped_for_its_readers():
    import yaml

    nav = yaml.safe_load((ROOT / "mkdocs.yml").read_text())["nav"]

    assert [
        title for entry in nav for title, target in entry.items() if isinstance(target, list)
    ] == GROUPS
    assert sorted(pages(nav)) == sorted(path.name for path in DOCS.glob("*.md"))
