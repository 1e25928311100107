"""Fixtures of the deploy simulation: deployments and their web dynos behind the router.

Each answer set is deployed once per run; each web dyno and router started here is
stopped here, one answer set's at a time (the `site` fixture is package-scoped, so
pytest runs every test of one answer set before starting the next).
"""

import os
import secrets
import socket
import time
from collections.abc import Callable, Iterator

import pytest

from tests.support.deployments import (
    MEDIA_BUCKET,
    Deployments,
    Site,
    mail_dyno_env,
    on_s3,
    serving,
    serving_with_worker,
)
from tests.support.heroku import Router
from tests.support.postgres_tls import PostgresTLS
from tests.support.renders import ANSWER_SETS, Renders
from tests.support.smtp import SMTPServer


@pytest.fixture(scope="package", autouse=True)
def wall_time(report: Callable[[str], None]) -> Iterator[None]:
    started = time.monotonic()
    yield
    report(f"deploy simulation wall time: {time.monotonic() - started:.0f} s")


@pytest.fixture(scope="package")
def deployments(
    renders: Renders,
    postgres: PostgresTLS,
    tmp_path_factory: pytest.TempPathFactory,
    report: Callable[[str], None],
) -> Deployments:
    return Deployments(renders, postgres, tmp_path_factory.mktemp("deploys"), report)


@pytest.fixture(scope="package", params=list(ANSWER_SETS))
def site(
    request: pytest.FixtureRequest,
    deployments: Deployments,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Site]:
    """One answer set deployed, its web dyno running behind the router on free ports."""
    deployment = deployments.get(request.param)
    with serving(deployment, tmp_path_factory.mktemp(f"site-{request.param}")) as site:
        yield site


@pytest.fixture(scope="module")
def media_site(
    deployments: Deployments, s3_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """The default answers deployed with a media bucket on the S3 API server.

    The config vars name the bucket from the build on, but the bucket is created only
    after the release: had collectstatic or the release written anything to S3, the
    deploy would have failed on the missing bucket.
    """
    deployment = deployments.get(
        "default-with-s3",
        "default",
        AWS_STORAGE_BUCKET_NAME=MEDIA_BUCKET,
        AWS_S3_ENDPOINT_URL=s3_server,
        AWS_S3_REGION_NAME="us-east-1",
        AWS_ACCESS_KEY_ID="deploy-simulation",
        AWS_SECRET_ACCESS_KEY=secrets.token_hex(20),
    )
    on_s3(deployment, "client.create_bucket(Bucket=os.environ['AWS_STORAGE_BUCKET_NAME'])\n")
    with serving(deployment, tmp_path_factory.mktemp("media-site")) as site:
        yield site


@pytest.fixture(scope="module")
def public_site(
    deployments: Deployments, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Router]:
    """The default deployment behind the router on ports 80 and 443, where scanners look.

    The redirect from http://localhost/ must land on https://localhost/ (port 443) for
    scanners that follow it, so the router needs the real ports: root only.
    """
    if os.geteuid() != 0:
        pytest.fail("the scanners need the router on ports 80 and 443: run the tests as root")
    for port in (80, 443):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError as error:
                pytest.fail(f"port {port} on 127.0.0.1 is taken ({error}); stop what uses it")
    deployment = deployments.get("default")
    with serving(deployment, tmp_path_factory.mktemp("public-site"), 80, 443) as site:
        yield site.router


@pytest.fixture(scope="package")
def mail_site(
    deployments: Deployments, smtp_server: SMTPServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """The default deployment's web and worker dynos, mail going to the SMTP server.

    Shared by the worker's and the accounts' tests: one web and one worker process.
    """
    deployment = deployments.get("default")
    env = mail_dyno_env(deployment, smtp_server.url)
    with serving_with_worker(deployment, env, tmp_path_factory.mktemp("mail-site")) as site:
        yield site
