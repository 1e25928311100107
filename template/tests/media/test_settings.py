"""Which storage the environment selects, the CSP origin it implies, and what start-up refuses.

Settings are computed once at import, so each test evaluates config/settings.py afresh
with its own environment (or starts manage.py, for what a release or build runs). Links
are signed locally by boto3 and CloudFront's signer: nothing here talks to S3.
"""

import os
import runpy
import time
import urllib.parse
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ImproperlyConfigured

from media.storage import PrivateMediaStorage
from tests.conftest import PROJECT_DIR, manage, production_env

BUCKET = {
    "AWS_STORAGE_BUCKET_NAME": "my-site-media",
    "AWS_ACCESS_KEY_ID": "AKIAEXAMPLEEXAMPLE00",
    "AWS_SECRET_ACCESS_KEY": "example-secret-access-key-not-a-real-one",
    "AWS_S3_REGION_NAME": "eu-west-1",
}


@pytest.fixture(scope="module")
def cloudfront_key() -> str:
    """A fresh RSA key in PEM, as CloudFront key groups use."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture
def load_settings():
    """Evaluate config/settings.py with these variables (and no other AWS_* ones).

    The environment is restored afterwards, including what the settings' .env reading
    added to it.
    """
    saved = os.environ.copy()

    def load(**variables: str) -> dict[str, Any]:
        for name in [name for name in os.environ if name.startswith("AWS_")]:
            del os.environ[name]
        os.environ.update(variables)
        return runpy.run_path(str(PROJECT_DIR / "config" / "settings.py"))

    yield load
    os.environ.clear()
    os.environ.update(saved)


def link(options: dict[str, Any]) -> str:
    return str(PrivateMediaStorage(**options).url("attachments/0a1b.png"))


def test_production_without_a_bucket_refuses_to_store_uploads(load_settings):
    loaded = load_settings()

    assert loaded["STORAGES"]["default"] == {"BACKEND": "media.storage.NoMediaStorage"}
    assert [str(source) for source in loaded["SECURE_CSP"]["img-src"]] == ["'self'", "data:"]


def test_development_without_a_bucket_stores_uploads_on_local_disk(load_settings):
    loaded = load_settings(DJANGO_ENV="development")

    assert loaded["STORAGES"]["default"]["BACKEND"] == (
        "django.core.files.storage.FileSystemStorage"
    )


def test_a_bucket_selects_private_s3_storage(load_settings):
    storage = load_settings(**BUCKET)["STORAGES"]["default"]

    assert storage["BACKEND"] == "media.storage.PrivateMediaStorage"
    options = storage["OPTIONS"]
    assert options["default_acl"] is None, "no ACL may be sent with uploads"
    assert options["querystring_auth"] is True
    assert options["querystring_expire"] <= 600, "signed links must expire within minutes"
    assert options["file_overwrite"] is False
    assert options["location"] == "media"
    assert options["signature_version"] == "s3v4"


def test_static_files_stay_on_whitenoise_with_a_bucket(load_settings):
    storages = load_settings(**BUCKET)["STORAGES"]

    assert storages["staticfiles"] == {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    }


@pytest.mark.parametrize(
    ("variables", "origin"),
    [
        ({}, "https://my-site-media.s3.eu-west-1.amazonaws.com"),
        ({"AWS_S3_REGION_NAME": "us-east-1"}, "https://my-site-media.s3.us-east-1.amazonaws.com"),
        ({"AWS_STORAGE_BUCKET_NAME": "media.example.com"}, "https://s3.eu-west-1.amazonaws.com"),
        (
            {"AWS_S3_ENDPOINT_URL": "https://s3.fr-par.scw.cloud", "AWS_S3_REGION_NAME": "fr-par"},
            "https://s3.fr-par.scw.cloud",
        ),
        ({"AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000"}, "http://127.0.0.1:9000"),
    ],
    ids=["aws", "aws-us-east-1", "bucket-with-dots", "s3-compatible", "loopback-server"],
)
def test_csp_allows_images_from_exactly_the_origin_of_signed_links(
    load_settings, variables, origin
):
    loaded = load_settings(**{**BUCKET, **variables})

    assert loaded["MEDIA_ORIGIN"] == origin
    assert [str(source) for source in loaded["SECURE_CSP"]["img-src"]] == [
        "'self'",
        "data:",
        origin,
    ]
    assert link(loaded["MEDIA_S3_OPTIONS"]).startswith(f"{origin}/")


def test_custom_domain_links_are_signed_by_cloudfront_and_expire(load_settings, cloudfront_key):
    loaded = load_settings(
        **BUCKET,
        AWS_S3_CUSTOM_DOMAIN="media.example.com",
        AWS_CLOUDFRONT_KEY_ID="K2JCJMDEHXQW5F",
        AWS_CLOUDFRONT_KEY=cloudfront_key,
    )
    with pytest.warns(DeprecationWarning, match="utcnow"):  # inside django-storages 1.14
        url = urllib.parse.urlsplit(link(loaded["MEDIA_S3_OPTIONS"]))

    query = urllib.parse.parse_qs(url.query)
    assert (url.scheme, url.netloc, url.path) == (
        "https",
        "media.example.com",
        "/media/attachments/0a1b.png",
    )
    assert query["Key-Pair-Id"] == ["K2JCJMDEHXQW5F"]
    assert query["Signature"][0]
    assert 0 < int(query["Expires"][0]) - time.time() <= 600
    assert loaded["MEDIA_ORIGIN"] == "https://media.example.com"


def test_startup_refuses_a_custom_domain_without_cloudfront_keys():
    result = manage("check", env=production_env(**BUCKET, AWS_S3_CUSTOM_DOMAIN="media.example.com"))

    assert result.returncode != 0
    assert "AWS_S3_CUSTOM_DOMAIN is set without AWS_CLOUDFRONT_KEY_ID" in result.stderr


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"AWS_S3_REGION_NAME": ""}, "AWS_S3_REGION_NAME is ''"),
        ({"AWS_S3_REGION_NAME": "Ireland"}, "AWS_S3_REGION_NAME is 'Ireland'"),
        ({"AWS_STORAGE_BUCKET_NAME": "s3://my-site-media"}, "a bucket name has 3 to 63"),
        ({"AWS_S3_ENDPOINT_URL": "http://s3.example.com"}, "https:// endpoint"),
        ({"AWS_S3_ENDPOINT_URL": "https://s3.example.com/bucket"}, "without a path"),
        ({"AWS_S3_CUSTOM_DOMAIN": "https://media.example.com"}, "without https://"),
    ],
    ids=["no-region", "bad-region", "url-as-bucket", "plain-http", "path", "url-as-domain"],
)
def test_startup_refuses_a_media_setting_it_cannot_use_safely(load_settings, variables, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        load_settings(**{**BUCKET, **variables})


def test_collectstatic_with_a_bucket_never_contacts_s3(tmp_path):
    # Nothing listens on port 9: any request to S3 would fail the command.
    code = (
        "from django.conf import settings; from django.core.management import call_command; "
        f"settings.STATIC_ROOT = {str(tmp_path)!r}; "
        "call_command('collectstatic', '--noinput', verbosity=0)"
    )
    env = production_env(**BUCKET, AWS_S3_ENDPOINT_URL="http://127.0.0.1:9", DATABASE_URL=None)

    result = manage("shell", "--verbosity=0", "-c", code, env=env)

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "staticfiles.json").exists(), "WhiteNoise's manifest should be written"


def test_deploy_check_passes_with_a_bucket():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(**BUCKET))

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
