"""The simulation can fail: a broken render stops the deploy at the step that breaks."""

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.deployments import app_json_config_vars, database_name
from tests.support.heroku import DeployFailed, simulate_deploy

pytestmark = pytest.mark.slow


def break_settings(render: Path, line: str) -> None:
    settings = render / "config" / "settings.py"
    settings.write_text(settings.read_text() + f"\n{line}\n")


def break_procfile(render: Path, line: str) -> None:
    procfile = render / "Procfile"
    lines = procfile.read_text().splitlines()
    procfile.write_text("\n".join(line if old.startswith("release:") else old for old in lines))


BROKEN_RENDERS: dict[str, tuple[Callable[[Path], None], tuple[str, str]]] = {
    "settings-force-debug-on": (
        lambda render: break_settings(render, "DEBUG = True"),
        ("release", "security.W018"),
    ),
    "release-command-mistyped": (
        lambda render: break_procfile(render, "release: ./bin/relaese"),
        ("release", "./bin/relaese"),
    ),
    "settings-need-the-database-at-build": (
        lambda render: break_settings(
            render, 'DATABASES = {"default": env.db_url("DATABASE_URL")}'
        ),
        ("build (collectstatic)", "DATABASE_URL"),
    ),
}


@pytest.mark.parametrize("broken", list(BROKEN_RENDERS))
def test_simulation_fails_a_broken_render(renders, postgres, tmp_path, broken):
    breaks, (failing_step, reason) = BROKEN_RENDERS[broken]
    render = tmp_path / "render"
    shutil.copytree(
        renders.path("default"),
        render,
        ignore=shutil.ignore_patterns(".git", ".venv", "staticfiles", "__pycache__"),
    )
    breaks(render)
    database_url = postgres.create_database(database_name("broken_render", broken))

    with pytest.raises(DeployFailed) as failure:
        simulate_deploy(render, tmp_path, app_json_config_vars(render), database_url)

    assert failure.value.step == failing_step, failure.value
    assert reason in failure.value.output, failure.value
