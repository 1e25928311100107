"""`copier update` brings a security release into projects that already exist.

Independent of the tags this repository carries, the `releases` fixture builds a
temporary clone of this checkout with two tagged releases:

- v1.0.0, the vulnerable release: Django locked one patch release below today's lock,
  with the floor to match, and sessions that last two weeks;
- v1.0.1, the security release: the Django floor raised to today's locked (fixed)
  version, sessions back to one day, and a changed `.env` in the template.

Projects are rendered from v1.0.0, committed, edited the way users edit them, and
updated as users update: `copier update` with defaults, without --trust.
"""

import re
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path
from textwrap import dedent

import copier
import pytest
import yaml

from tests.conftest import ROOT, copy_checkout, run

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
CONFLICT_MARKER = re.compile(r"^(<{7}|>{7})( |$)", re.MULTILINE)
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Parapet tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_COMMITTER_NAME": "Parapet tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
}


def git(cwd: Path, *args: str) -> str:
    result = run(["git", *args], cwd=cwd, **GIT_IDENTITY)
    assert result.returncode == 0, f"git {' '.join(args)} failed:\n{result.stderr}"
    return result.stdout


def commit_all(cwd: Path, message: str) -> None:
    git(cwd, "add", "-A")
    git(cwd, "commit", "-q", "--no-verify", "--allow-empty", "-m", message)


def replace_once(path: Path, pattern: str, replacement: str) -> None:
    """Edit one line of a file by pattern; fail loudly if the line is not there."""
    text = path.read_text()
    new_text, count = re.subn(pattern, replacement, text, count=1, flags=re.MULTILINE)
    assert count == 1, f"{pattern!r} not found in {path}: the update test needs updating"
    path.write_text(new_text)


def locked_version(lock_text: str, package: str) -> str:
    for entry in tomllib.loads(lock_text)["package"]:
        if entry["name"] == package:
            return entry["version"]
    raise AssertionError(f"{package} is not in the lock")


def default_lock_body(template_lock: str) -> str:
    """The body of uv.lock.jinja that a render without the API gets (the `else` branch)."""
    if "{% else -%}\n" in template_lock:
        return template_lock.split("{% else -%}\n", 1)[1].rsplit("{% endif %}", 1)[0]
    return template_lock


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


def relock_template(template: Path, workspace: Path, *uv_args: str) -> None:
    """What `nox -s lock` does, for the clone: render, `uv lock`, template the root name."""
    probe = workspace / "lock-probe"
    shutil.rmtree(probe, ignore_errors=True)
    copier.run_copy(
        str(template),
        str(probe),
        data={"project_slug": "lock_probe"},
        defaults=True,
        vcs_ref="HEAD",
        unsafe=False,
        quiet=True,
    )
    locked = run(["uv", "lock", "--quiet", *uv_args], cwd=probe)
    assert locked.returncode == 0, f"uv lock failed in the clone:\n{locked.stderr}"
    lock = (probe / "uv.lock").read_text()
    assert lock.count('name = "lock-probe"') == 1
    lock = lock.replace('name = "lock-probe"', 'name = "{{ project_distribution_name }}"')
    (template / "template" / "uv.lock.jinja").write_text(lock)
    shutil.rmtree(probe)


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Releases:
    workspace = tmp_path_factory.mktemp("releases")
    template = copy_checkout(workspace / "parapet")
    pyproject = template / "template" / "pyproject.toml.jinja"
    settings = template / "template" / "config" / "settings.py"
    lock = template / "template" / "uv.lock.jinja"
    git(template, "init", "-q", "-b", "main")
    commit_all(template, "This checkout")
    new_django = locked_version(default_lock_body(lock.read_text()), "django")
    old_django = previous_patch_release(new_django)
    new_session_age = re.search(r"^SESSION_COOKIE_AGE = .*$", settings.read_text(), re.M)
    assert new_session_age, "settings.py no longer sets SESSION_COOKIE_AGE"

    # v1.0.0: the vulnerable release.
    replace_once(pyproject, r'"django>=[^,"]+', f'"django>={old_django}')
    replace_once(settings, r"^SESSION_COOKIE_AGE = .*$", OLD_SESSION_AGE)
    commit_all(template, "Lower the Django floor")
    relock_template(template, workspace, "--upgrade-package", f"django=={old_django}")
    commit_all(template, "Release 1.0.0")
    git(template, "tag", OLD)

    # v1.0.1: the security release.
    git(template, "checkout", "-q", "main~2", "--", "template/config/settings.py", str(lock))
    replace_once(pyproject, r'"django>=[^,"]+', f'"django>={new_django}')
    env_file = template / "template" / ".env"
    env_file.write_text(env_file.read_text() + ENV_LINE_ADDED_BY_TEMPLATE + "\n")
    commit_all(template, "Raise the Django floor, shorten sessions")
    relock_template(template, workspace)
    commit_all(template, "Release 1.0.1")
    git(template, "tag", NEW)
    assert locked_version(lock.read_text(), "django") == new_django
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


def render_and_commit(releases: Releases, destination: Path) -> Path:
    """A project as its developer starts it: rendered from v1.0.0, in git."""
    render(releases, destination, OLD)
    git(destination, "init", "-q", "-b", "main")
    commit_all(destination, f"Render Parapet {OLD}")
    return destination


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


def answers(project: Path) -> dict:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


# --- An untouched project -------------------------------------------------------------


@pytest.fixture(scope="module")
def untouched(releases: Releases, tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = render_and_commit(releases, tmp_path_factory.mktemp("untouched") / "site")
    update(project)
    return project


def test_update_of_an_untouched_project_leaves_no_conflicts(untouched):
    assert files_with_conflict_markers(untouched) == []
    assert rejected_hunks(untouched) == []
    assert unmerged_paths(untouched) == []


def test_update_records_the_new_release(untouched):
    assert answers(untouched)["_commit"] == NEW


def test_update_lands_the_hardened_setting(untouched, releases):
    settings = (untouched / "config" / "settings.py").read_text().splitlines()

    assert releases.new_session_age in settings
    assert OLD_SESSION_AGE not in settings


def test_update_lands_the_raised_django_floor_and_its_lock(untouched, releases):
    pyproject = tomllib.loads((untouched / "pyproject.toml").read_text())
    lock = (untouched / "uv.lock").read_text()

    assert any(
        requirement.startswith(f"django>={releases.new_django},")
        for requirement in pyproject["project"]["dependencies"]
    ), pyproject["project"]["dependencies"]
    assert locked_version(lock, "django") == releases.new_django


def test_updated_project_equals_a_fresh_render_of_the_new_release(untouched, releases, tmp_path):
    given = {key: value for key, value in answers(untouched).items() if not key.startswith("_")}
    fresh = render(releases, tmp_path / "fresh", NEW, **given)
    git(fresh, "init", "-q")

    assert project_files(untouched) == project_files(fresh)
    for name in project_files(fresh):
        ours, theirs = (untouched / name).read_text(), (fresh / name).read_text()
        if name == ".copier-answers.yml":
            ours, theirs = (re.sub(r"(?m)^_commit: .*$", "", text) for text in (ours, theirs))
        assert ours == theirs, f"{name} differs from a fresh render of {NEW}"


# --- A project its developer has edited -----------------------------------------------

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
def edited(releases: Releases, tmp_path_factory: pytest.TempPathFactory) -> dict:
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


# --- A project that added a dependency next to the one the release bumps ---------------


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


def conflict_blocks(text: str) -> list[list[str]]:
    """The lines inside each conflict (both sides), without the markers."""
    blocks, current = [], None
    for line in text.splitlines():
        if line.startswith("<<<<<<<"):
            current = []
        elif line.startswith(">>>>>>>"):
            blocks.append(current)
            current = None
        elif current is not None and not re.match(r"^(={7}|\|{7}( |$))", line):
            current.append(line)
    return blocks


@pytest.fixture(scope="module")
def dependency_update(releases: Releases, tmp_path_factory: pytest.TempPathFactory) -> dict:
    project = render_and_commit(releases, tmp_path_factory.mktemp("dependency") / "site")
    dependency = add_dependency_next_to_django(project)
    update(project)
    state = {
        "project": project,
        "dependency": dependency,
        "conflicted": files_with_conflict_markers(project),
        "rejected": rejected_hunks(project),
        "pyproject": (project / "pyproject.toml").read_text(),
    }
    state["resolved"] = run([RESOLVE_COMMAND], cwd=project)
    return state


def test_dependency_conflicts_stay_in_the_dependency_list_and_the_lock(dependency_update):
    assert set(dependency_update["conflicted"]) <= {"pyproject.toml", "uv.lock"}
    assert dependency_update["rejected"] == []
    requirement = re.compile(r'^\s*"[A-Za-z0-9][^"]*",?$')
    for block in conflict_blocks(dependency_update["pyproject"]):
        assert all(requirement.match(line) for line in block if line.strip()), block


def test_the_release_conflicts_with_a_dependency_added_next_to_django(dependency_update):
    """Guards the scenario: the resolve command below must have both files to resolve."""
    assert dependency_update["conflicted"] == ["pyproject.toml", "uv.lock"]


def test_resolve_command_succeeds(dependency_update):
    resolved = dependency_update["resolved"]

    assert resolved.returncode == 0, resolved.stdout + resolved.stderr


def test_resolve_command_leaves_no_conflicts(dependency_update):
    project = dependency_update["project"]

    assert files_with_conflict_markers(project) == []
    assert unmerged_paths(project) == []


def test_resolve_command_keeps_the_developers_dependency_and_the_raised_floor(
    dependency_update, releases
):
    project = dependency_update["project"]
    dependencies = tomllib.loads((project / "pyproject.toml").read_text())["project"][
        "dependencies"
    ]
    lock = (project / "uv.lock").read_text()

    assert dependency_update["dependency"] in dependencies
    floor = f"django>={releases.new_django},"
    assert any(dependency.startswith(floor) for dependency in dependencies), dependencies
    assert locked_version(lock, "django") == releases.new_django
    assert locked_version(lock, dependency_update["dependency"].split(">=")[0])


def test_resolved_lock_matches_pyproject(dependency_update):
    check = run(["uv", "lock", "--check"], cwd=dependency_update["project"])

    assert check.returncode == 0, check.stderr


def test_resolve_command_is_the_one_the_docs_give():
    docs = (ROOT / "docs" / "updating.md").read_text()
    readme = (ROOT / "template" / "README.md.jinja").read_text()

    assert f"\n{RESOLVE_COMMAND}\n" in docs
    assert RESOLVE_COMMAND in readme


# --- The scheduled workflow's update step, run as GitHub would run it --------------------

TEMPLATE_UPDATE = ROOT / "template" / ".github" / "workflows" / "template-update.yml"


def run_update_step(project: Path, workspace: Path) -> tuple[object, dict[str, str], str]:
    """The step's script under bash, with the files GitHub provides; (result, outputs, body)."""
    jobs = yaml.safe_load(TEMPLATE_UPDATE.read_text())["jobs"]
    (script,) = [step["run"] for step in jobs["update"]["steps"] if step.get("id") == "update"]
    outputs = workspace / "github-output"
    outputs.write_text("")
    result = run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=project,
        RUNNER_TEMP=str(workspace),
        GITHUB_OUTPUT=str(outputs),
    )
    values = dict(line.split("=", 1) for line in outputs.read_text().splitlines() if "=" in line)
    body = Path(values["body"]).read_text() if "body" in values else ""
    return result, values, body


@pytest.mark.slow
def test_scheduled_update_brings_the_new_release(releases, tmp_path):
    project = render_and_commit(releases, tmp_path / "site")

    result, outputs, body = run_update_step(project, tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert (outputs["before"], outputs["after"]) == (OLD, NEW)
    assert answers(project)["_commit"] == NEW
    assert f"{OLD} → {NEW}" in body
    assert "Conflicts" not in body


@pytest.mark.slow
def test_scheduled_update_resolves_dependency_conflicts_itself(releases, tmp_path):
    project = render_and_commit(releases, tmp_path / "site")
    add_dependency_next_to_django(project)

    result, _, body = run_update_step(project, tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert files_with_conflict_markers(project) == []
    assert unmerged_paths(project) == []
    assert "Conflicts" not in body
    assert "`bin/resolve-dependencies`" in body


@pytest.mark.slow
def test_scheduled_update_lists_the_conflicts_a_person_must_resolve(releases, tmp_path):
    project = render_and_commit(releases, tmp_path / "site")
    replace_once(
        project / "config" / "settings.py",
        r"^SESSION_COOKIE_AGE = .*$",
        "SESSION_COOKIE_AGE = 60 * 60 * 24 * 7",
    )
    commit_all(project, "Sessions last a week")

    result, _, body = run_update_step(project, tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "**Conflicts to resolve**" in body
    assert "- `config/settings.py`" in body


def test_scheduled_update_explains_a_template_it_cannot_reach(releases, tmp_path):
    project = render_and_commit(releases, tmp_path / "site")
    answers_file = project / ".copier-answers.yml"
    replace_once(answers_file, r"^_src_path: .*$", "_src_path: /nowhere/parapet")
    commit_all(project, "A template path only one machine had")

    result, _, _ = run_update_step(project, tmp_path)

    assert result.returncode != 0
    assert "::error file=.copier-answers.yml::_src_path is '/nowhere/parapet'" in result.stdout
