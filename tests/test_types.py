"""The template's Python type-checks in a render of the default answers.

mypy runs over the render with the configuration the project ships ([tool.mypy] in
its pyproject.toml: strict, with django-stubs' plugin), so a type error in the template
fails the suite; the probe below proves that the check runs and catches one.
"""

from collections.abc import Callable

import pytest

from tests.support.renders import Renders
from tests.support.types import type_check

pytestmark = pytest.mark.slow

PROBE = "config/type_probe.py"


def test_default_render_type_checks_clean(renders: Renders, report: Callable[[str], None]):
    project = renders.sync("default")

    checked = type_check(project)
    report(f"mypy [default render]: {checked.errors} errors in {checked.files} files")

    assert checked.files > 0, f"mypy checked nothing:\n{checked.output}"
    assert checked.errors == 0, checked.output


def test_type_check_catches_a_wrong_annotation(renders: Renders):
    project = renders.sync("default")
    probe = project / PROBE
    probe.write_text('COUNT: int = "not a number"\n')
    try:
        checked = type_check(project)
    finally:
        probe.unlink()

    assert f'{PROBE}:1: error: Incompatible types in assignment (expression has type "str"' in (
        checked.output
    ), checked.output
