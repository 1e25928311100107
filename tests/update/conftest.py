"""The fixture every update test shares: the template with two tagged releases."""

import pytest

from tests.support.releases import Releases, build_releases


@pytest.fixture(scope="package")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Releases:
    """A clone of this checkout with v1.0.0 and v1.0.1 tagged, built once per run."""
    return build_releases(tmp_path_factory.mktemp("releases"))
