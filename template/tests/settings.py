"""The suite's settings: the project's own, as production runs them, plus one test app.

tests/conftest.py adds what a test machine needs on top (a fast hasher, local storage,
temporary static and media folders).
"""

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp.apps.TestAppConfig"]
