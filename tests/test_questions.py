"""Every question refuses bad input with a message; derived defaults are valid."""

import re
import runpy
import subprocess
import sys
import types
from typing import Any

import copier
import jinja2
import pytest
import yaml

from tests.support.renders import ROOT, child_env

INVALID_ANSWERS = [
    ("project_name", "", "cannot be empty"),
    ("project_name", "x" * 61, "60 characters"),
    ("project_name", "two\nlines", "control characters"),
    ("project_slug", "1site", "must start with a lowercase letter"),
    ("project_slug", "my-site", "must start with a lowercase letter"),
    ("project_slug", "MySite", "must start with a lowercase letter"),
    ("project_slug", "class", "Python keyword"),
    ("project_slug", "users", "clashes with a module"),
    ("project_slug", "allauth", "clashes with a module"),
    ("project_slug", "accounts", "clashes with a module"),
    ("project_slug", "documents", "clashes with a module"),
    ("project_slug", "storages", "clashes with a module"),
    ("description", "d" * 201, "200 characters"),
    ("description", "line\nbreak", "one line"),
    ("author_name", " ", "cannot be empty"),
    ("author_email", "not-an-email", "not an email address"),
    ("production_domain", "https://example.com", "not a lowercase host name"),
    ("production_domain", "Example.com", "not a lowercase host name"),
    ("production_domain", "example.com.", "not a lowercase host name"),
    ("production_domain", "localhost", "not a lowercase host name"),
    ("admin_url_path", "admin", "first path scanners try"),
    ("admin_url_path", "staff/area", "no slashes"),
    ("admin_url_path", "a", "3 to 63"),
    ("admin_url_path", "Staff", "3 to 63"),
    ("python_version", "3.11", "3.11"),
    ("security_contact_email", "security at example.com", "not an email address"),
]


@pytest.mark.parametrize(
    ("question", "answer", "message"),
    INVALID_ANSWERS,
    ids=[f"{question}={answer[:12]!r}" for question, answer, _ in INVALID_ANSWERS],
)
def test_invalid_answer_is_refused(template_dir, tmp_path, question, answer, message):
    destination = tmp_path / "project"

    with pytest.raises(ValueError, match=message):
        copier.run_copy(
            str(template_dir),
            str(destination),
            data={question: answer},
            defaults=True,
            unsafe=False,
            quiet=True,
        )

    assert not (destination / "config").exists(), "nothing may be rendered"


def test_refused_answer_is_explained_on_the_command_line(template_dir, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "copier", "copy", "--defaults", "--data", "admin_url_path=admin",
         str(template_dir), str(tmp_path / "project")],
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )  # fmt: skip

    assert result.returncode != 0
    assert "first path scanners try" in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("project_name", "expected_slug"),
    [
        ("My Site", "my_site"),
        ("  Ünïcode Café 2026!  ", "n_code_caf_2026"),
        ("2048 Game", "project_2048_game"),
        ("日本語のサイト", "django_project"),
        ("!!!", "django_project"),
    ],
)
def test_slug_derived_from_the_name_is_always_valid(
    template_dir, tmp_path, project_name, expected_slug
):
    destination = tmp_path / "project"

    copier.run_copy(
        str(template_dir),
        str(destination),
        data={"project_name": project_name},
        defaults=True,
        unsafe=False,
        quiet=True,
    )

    answers = yaml.safe_load((destination / ".copier-answers.yml").read_text())
    assert answers["project_slug"] == expected_slug


def test_copying_needs_no_trust_and_runs_no_template_code():
    config = yaml.safe_load((ROOT / "copier.yml").read_text())

    assert not {"_tasks", "_migrations", "_jinja_extensions"} & config.keys()
    assert config["_subdirectory"] == "template"
    answers_template = ROOT / "template" / "{{_copier_conf.answers_file}}.jinja"
    assert "{{ _copier_answers|to_nice_yaml -}}" in answers_template.read_text()


def test_every_question_has_help_and_a_default():
    config = yaml.safe_load((ROOT / "copier.yml").read_text())
    questions = {
        name: spec
        for name, spec in config.items()
        if not name.startswith("_") and spec.get("when") is not False
    }

    assert set(questions) == {
        "project_name", "project_slug", "description", "author_name", "author_email",
        "production_domain", "admin_url_path", "python_version", "hsts_preload",
        "security_contact_email", "documents", "api",
    }  # fmt: skip
    for name, spec in questions.items():
        assert spec.get("help"), f"{name} has no help text"
        assert "default" in spec, f"{name} has no default"
        if spec["type"] == "str" and "choices" not in spec:
            assert spec.get("validator"), f"{name} has no validator"


# Paths that sit on either side of the admin-path rule: length, first character, the
# characters allowed, every reserved word and its near misses.
ADMIN_PATH_CANDIDATES = [
    "staff-1a2b3c4d", "abc", "ab", "a" * 63, "a" * 64, "-staff", "_staff", "9lives",
    "staff_area", "Staff", "staff area", "staff/area", "staff.area", "", "admin", "admins",
    "accounts", "static", "media", "well-known", "wellknown", "api", "documents",
]  # fmt: skip


def prompt_accepts(validator: str, path: str) -> bool:
    """Whether copier.yml's admin_url_path validator accepts `path` (an empty message)."""
    # Copier renders validators with these filters (regex_search); the output is text.
    environment = jinja2.Environment(  # noqa: S701
        extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"]
    )
    return not environment.from_string(validator).render(admin_url_path=path).strip()


class ImproperlyConfigured(Exception):
    """Stands in for Django's, which config/guards.py raises (Django is not installed here)."""


def start_up_accepts(guards: dict[str, Any], path: str) -> bool:
    """Whether config/guards.py's require_admin_url_path lets the project start with it."""
    try:
        guards["require_admin_url_path"]("DJANGO_ADMIN_URL_PATH", path)
    except ImproperlyConfigured:
        return False
    return True


def rule_disagreements(validator: str, guards: dict[str, Any]) -> list[str]:
    return [
        f"{path!r}: prompt {'accepts' if prompt else 'refuses'}, start-up the opposite"
        for path in ADMIN_PATH_CANDIDATES
        if (prompt := prompt_accepts(validator, path)) != start_up_accepts(guards, path)
    ]


@pytest.fixture
def admin_path_rule(monkeypatch):
    """copier.yml's validator, and config/guards.py run as the project runs it."""
    exceptions = types.ModuleType("django.core.exceptions")
    exceptions.ImproperlyConfigured = ImproperlyConfigured  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "django.core.exceptions", exceptions)
    # guards.py imports config.hosts, which needs nothing but the standard library.
    hosts = types.ModuleType("config.hosts")
    exec((ROOT / "template" / "config" / "hosts.py").read_text(), hosts.__dict__)  # noqa: S102
    monkeypatch.setitem(sys.modules, "config", types.ModuleType("config"))
    monkeypatch.setitem(sys.modules, "config.hosts", hosts)
    validator = yaml.safe_load((ROOT / "copier.yml").read_text())["admin_url_path"]["validator"]
    guards = runpy.run_path(str(ROOT / "template" / "config" / "guards.py"))
    return validator, guards


def test_admin_path_rule_is_the_same_at_the_prompt_and_at_start_up(admin_path_rule):
    """copier.yml refuses a path at the prompt exactly when config/guards.py refuses it
    from DJANGO_ADMIN_URL_PATH: the rule is written twice, in Jinja and in Python."""
    validator, guards = admin_path_rule

    assert rule_disagreements(validator, guards) == []


def test_a_rule_that_drifts_apart_is_caught(admin_path_rule):
    validator, guards = admin_path_rule
    drifted = re.sub(r"'media', ", "", validator)
    assert drifted != validator, "the validator no longer lists 'media': update this test"

    assert rule_disagreements(drifted, guards) == ["'media': prompt accepts, start-up the opposite"]
