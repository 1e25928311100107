"""Fixtures of the browser tests: the site behind the router, and Chromium."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from tests.support.browser import BrowserSite, launched_chromium, serving_for_browser
from tests.support.renders import Renders


@pytest.fixture(scope="package")
def site(renders: Renders, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserSite]:
    """The default render in production mode, behind the router.

    Yields the router, the admin's path and the admin's TOTP secret.
    """
    with serving_for_browser(renders.path("default"), tmp_path_factory.mktemp("browser")) as site:
        yield site


@pytest.fixture(scope="package")
def browser(site: BrowserSite) -> Iterator[Browser]:
    with launched_chromium(site.router.ca.cert_file) as browser:
        yield browser
