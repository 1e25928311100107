"""Each answer set renders a complete, parseable, lint-clean project."""

import ast
import itertools
import json
import os
import re
import tomllib
from pathlib import Path

import copier
import pytest
import yaml

from tests.support.renders import ANSWER_SETS, AWKWARD_TEXT, OPTIONAL_PARTS, ROOT, run

TEMPLATE = ROOT / "template"
# Made by running a render (its environment, caches, test databases), not by Copier.
GENERATED = {".venv", "__pycache__", ".git", "staticfiles", "test-db.sqlite3", "db.sqlite3"}
JINJA_MARKERS = re.compile(r"\{\{|\{%|\{#|%\}|#\}")

answer_sets = pytest.mark.parametrize("answers", list(ANSWER_SETS))
# What a part leaves in a render: with its answer "no", none of it may remain (the
# answers file records the answer itself).
TRACES = {
    "api": re.compile(r"(?i:rest_framework|djangorestframework|knox|corsheaders)|\bCORS\b"),
    "documents": re.compile(r"\bdocuments\b|\bDocument\b"),
}
PART_COMBINATIONS = [
    dict(zip(OPTIONAL_PARTS, chosen, strict=True))
    for chosen in itertools.product([True, False], repeat=len(OPTIONAL_PARTS))
]


def source_of(relative: Path) -> Path:
    """The template file a rendered file came from, through conditional names."""
    source = TEMPLATE
    for name in relative.parts:
        if not (source / name).exists():
            chosen = [
                path
                for path in source.glob("{% if *")
                if path.name.endswith(f"%}}{name}{{% endif %}}")
            ]
            if chosen:
                name = chosen[0].name
        source /= name
    return source


def rendered_files(project: Path) -> list[Path]:
    return sorted(
        path
        for path in project.rglob("*")
        if path.is_file() and not GENERATED.intersection(path.parts)
    )


@answer_sets
def test_no_jinja_file_or_marker_is_left(renders, answers):
    """Verbatim files equal their source; rendered ones keep no Jinja syntax.

    The awkward-text answers contain Jinja-like text on purpose, so for that set only
    the `.jinja` suffixes are checked here; test_free_text_answers_survive_every_file_type
    checks that its text arrives intact.
    """
    project = renders.path(answers)
    awkward = answers == "awkward-text"

    for path in rendered_files(project):
        assert not path.name.endswith(".jinja"), f"{path.name} was not rendered"
        source = source_of(path.relative_to(project))
        if source.exists():
            # Copied verbatim: Django templates keep their own {% %} tags.
            assert path.read_bytes() == source.read_bytes(), f"{path} differs from its source"
            continue
        if not awkward:
            text = path.read_text()
            if path.suffix == ".md":  # docs may quote Django template tags in code spans
                text = re.sub(r"`[^`\n]+`", "", text)
            assert not JINJA_MARKERS.search(text), f"Jinja left in {path.relative_to(project)}"


@answer_sets
def test_structured_files_parse(renders, answers):
    project = renders.path(answers)

    for path in rendered_files(project):
        if path.suffix == ".toml" or path.name == "uv.lock":
            tomllib.loads(path.read_text())
        elif path.suffix in {".yml", ".yaml"}:
            yaml.safe_load(path.read_text())
        elif path.suffix == ".json":
            json.loads(path.read_text())
        elif path.suffix == ".py":
            ast.parse(path.read_text(), filename=str(path))


@answer_sets
def test_ruff_lint_and_format_are_clean(renders, answers):
    project = renders.path(answers)

    lint = run(["ruff", "check", "--no-cache", "."], cwd=project)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    formatting = run(["ruff", "format", "--check", "--no-cache", "."], cwd=project)
    assert formatting.returncode == 0, formatting.stdout + formatting.stderr


@answer_sets
def test_heroku_files_are_in_place(renders, answers):
    project = renders.path(answers)
    expected_python = ANSWER_SETS[answers].get("python_version", "3.13")

    assert (project / ".python-version").read_text().strip() == expected_python
    procfile = dict(
        line.split(": ", 1) for line in (project / "Procfile").read_text().splitlines() if line
    )
    assert procfile["web"].startswith("gunicorn --config gunicorn.conf.py config.wsgi")
    assert procfile["release"] == "./bin/release"
    assert procfile["worker"] == "python manage.py db_worker --no-reload --queue-name '*'"
    assert os.access(project / "bin" / "release", os.X_OK), "bin/release must be executable"
    app = json.loads((project / "app.json").read_text())
    assert {"plan": "heroku-postgresql", "as": "DATABASE"} in app["addons"]
    assert app["formation"]["worker"] == {"quantity": 1}, "every email waits for the worker"
    assert app["env"]["DJANGO_SECRET_KEY"]["generator"] == "secret"
    assert not {"PORT", "DATABASE_URL", "WEB_CONCURRENCY"} & app["env"].keys()


def ignored_packages(gitignore: str, packages: list[str], workdir: Path) -> list[str]:
    """Which of the packages' __init__.py files these .gitignore rules would leave out."""
    (workdir / ".gitignore").write_text(gitignore)
    assert run(["git", "init", "-q"], cwd=workdir).returncode == 0
    paths = [f"{package}/__init__.py" for package in packages]
    return run(["git", "check-ignore", "--no-index", *paths], cwd=workdir).stdout.split()


@answer_sets
def test_no_package_of_the_project_is_git_ignored(renders, answers, tmp_path):
    """A deploy is a git push: a package the project's .gitignore matches never ships."""
    project = renders.path(answers)
    packages = sorted(path.parent.name for path in project.glob("*/__init__.py"))
    (tmp_path / "rules").mkdir()
    (tmp_path / "broken").mkdir()

    assert "media" in packages
    assert (
        ignored_packages((project / ".gitignore").read_text(), packages, tmp_path / "rules") == []
    )
    # The rule MEDIA_ROOT once had would hide the media app: the check sees that.
    assert ignored_packages("media/\n", packages, tmp_path / "broken") == ["media/__init__.py"]


@answer_sets
def test_local_opt_in_is_written_to_an_ignored_env_file(renders, answers):
    project = renders.path(answers)

    assert "DJANGO_ENV=development" in (project / ".env").read_text().splitlines()
    assert ".env" in (project / ".gitignore").read_text().splitlines()
    for name in ("manage.py", "config/wsgi.py", "config/asgi.py", "Procfile"):
        assert "DJANGO_ENV" not in (project / name).read_text(), f"{name} must not set DJANGO_ENV"


@answer_sets
def test_free_text_answers_survive_every_file_type(renders, answers):
    project = renders.path(answers)
    given = {**yaml.safe_load((project / ".copier-answers.yml").read_text())}
    name, description, author = given["project_name"], given["description"], given["author_name"]
    if answers == "awkward-text":
        assert (name, description, author) == (
            AWKWARD_TEXT["project_name"],
            AWKWARD_TEXT["description"],
            AWKWARD_TEXT["author_name"],
        )

    pyproject = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    assert pyproject["description"] == description
    assert pyproject["authors"] == [{"name": author, "email": given["author_email"]}]
    app = json.loads((project / "app.json").read_text())
    assert (app["name"], app["description"]) == (name, description)
    module = ast.parse((project / "config" / "project.py").read_text())
    literals = {
        target.id: ast.literal_eval(node.value)
        for node in module.body
        if isinstance(node, ast.Assign) and isinstance(target := node.targets[0], ast.Name)
    }
    assert literals["PROJECT_NAME"] == name
    assert literals["HSTS_PRELOAD"] is ANSWER_SETS[answers].get("hsts_preload", True)
    readme_title = (project / "README.md").read_text().splitlines()[0]
    assert unescape_markdown(readme_title.removeprefix("# ")) == name


def unescape_markdown(text: str) -> str:
    """What CommonMark shows for backslash-escaped punctuation."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


@pytest.mark.parametrize(
    "parts",
    PART_COMBINATIONS,
    ids=["-".join(f"{part}={chosen}" for part, chosen in c.items()) for c in PART_COMBINATIONS],
)
def test_every_combination_of_parts_renders_lint_clean_without_traces_of_absent_ones(
    template_dir, tmp_path, parts
):
    project = tmp_path / "project"
    copier.run_copy(
        str(template_dir), str(project), data=parts, defaults=True, unsafe=False, quiet=True
    )

    lint = run(["ruff", "check", "--no-cache", "."], cwd=project)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    formatting = run(["ruff", "format", "--check", "--no-cache", "."], cwd=project)
    assert formatting.returncode == 0, formatting.stdout + formatting.stderr
    for part, chosen in parts.items():
        assert (project / part).is_dir() is chosen, f"{part}/ with {part}={chosen}"
        if chosen:
            continue
        traces = [
            f"{path.relative_to(project)}:{number}: {line.strip()}"
            for path in rendered_files(project)
            if path.name != ".copier-answers.yml"
            for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
            if TRACES[part].search(line)
        ]
        assert traces == [], f"{part}=no left traces of it:\n" + "\n".join(traces)
