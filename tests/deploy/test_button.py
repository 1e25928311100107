"""A Heroku Button deploy or a review app answers on its own herokuapp.com host at once.

The default deployment's slug runs with exactly the config vars app.json gives a new
app (DJANGO_ALLOWED_HOSTS as declared, HEROKU_APP_NAME as Heroku fills it in for a
review app and the Button's form asks for it) and no dyno metadata, as a new app has.
The router passes the Host header on as Heroku's does.
"""

from collections.abc import Iterator

import pytest

from tests.support.deployments import (
    APP_DEFAULT_DOMAIN,
    APP_NAME,
    Deployments,
    Site,
    button_config_vars,
    serving,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def new_app(deployments: Deployments, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    deployment = deployments.get("default")
    config_vars = button_config_vars(deployment.render)
    assert "HEROKU_APP_DEFAULT_DOMAIN_NAME" not in config_vars, "a new app has no dyno metadata"
    with serving(deployment, tmp_path_factory.mktemp("button"), config_vars=config_vars) as site:
        yield site


def test_the_first_page_of_a_new_app_is_its_home_page(new_app):
    response = new_app.request("/", host=APP_DEFAULT_DOMAIN)

    assert response.status == 200, f"{response.status}: {response.body[:300]!r}"


@pytest.mark.parametrize(
    "host",
    [
        "another-app-5fc113ad890b.herokuapp.com",
        f"{APP_DEFAULT_DOMAIN}.evil.example",
        f"evil.{APP_DEFAULT_DOMAIN}",
        f"{APP_NAME}-evil.herokuapp.com",
    ],
)
def test_a_new_app_answers_on_no_other_host(new_app, host):
    assert new_app.request("/", host=host).status == 400
