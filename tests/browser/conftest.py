"""Fixtures of the browser tests: the site behind the router, and Chromium."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from tests.support.browser import BrowserSite, launched_chromium, serving_for_browser
from tests.support.renders import Renders


@pytest.fixture(scope="package")
def site(
    renders: Renders, s3_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BrowserSite]:
    """The default render in production mode, behind the router, with a media bucket.

    Yields the router, the admin's path, the admin's TOTP secret and a signed-in session.
    """
    workdir = tmp_path_factory.mktemp("browser")
    with serving_for_browser(renders.path("default"), workdir, s3_server) as site:
        yield site


@pytest.fixture(scope="package")
def browser(site: BrowserSite) -> Iterator[Browser]:
    with launched_chromium(site.router.ca.cert_file) as browser:
        yield browser
