"""Start-up refuses unsafe configuration with a message naming the variable."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.guards import require_tls_mail
from tests.conftest import manage, production_env


def assert_refused(result, *fragments: str) -> None:
    assert result.returncode != 0, "start-up should have been refused"
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


def test_startup_fails_without_a_secret_key():
    result = manage("check", env=production_env(DJANGO_SECRET_KEY=None))

    assert_refused(result, "DJANGO_SECRET_KEY is not set")


@pytest.mark.parametrize(
    "weak_key",
    [
        "short-key",
        "a" * 64,
        "django-insecure-development-only-never-deploy-this-7Hq2xZ9vK4mB8nR1",
    ],
    ids=["short", "few-distinct-characters", "development-key"],
)
def test_startup_fails_with_a_weak_secret_key(weak_key):
    result = manage("check", env=production_env(DJANGO_SECRET_KEY=weak_key))

    assert_refused(result, "DJANGO_SECRET_KEY is too weak")


def test_startup_fails_with_a_weak_fallback_key():
    result = manage("check", env=production_env(DJANGO_SECRET_KEY_FALLBACKS="old-short-key"))

    assert_refused(result, "DJANGO_SECRET_KEY_FALLBACKS is too weak")


def test_startup_fails_without_an_email_url():
    result = manage("check", env=production_env(EMAIL_URL=None))

    assert_refused(result, "EMAIL_URL is not set")


def test_startup_refuses_plaintext_smtp_to_another_host():
    result = manage(
        "check", env=production_env(EMAIL_URL="smtp://user:hunter2-secret@smtp.example.com:25")
    )

    assert_refused(result, "EMAIL_URL sends mail with smtp:// to smtp.example.com", "smtp+tls://")
    assert "hunter2-secret" not in result.stderr, "the refusal must not print the password"


@pytest.mark.parametrize(
    "url",
    [
        "smtp+tls://user:password@smtp.example.com:587",
        "smtps://user:password@smtp.example.com:465",
        "smtp://127.0.0.1:1025",
        "smtp://localhost:25",
        "smtp://[::1]:25",
    ],
    ids=["starttls", "implicit-tls", "loopback-ip", "localhost", "loopback-ipv6"],
)
def test_mail_over_tls_or_to_this_machine_is_accepted(url):
    assert require_tls_mail("EMAIL_URL", url) == url


@pytest.mark.parametrize(
    "url",
    [
        "smtp://user:password@smtp.example.com:587",
        "smtp://10.0.0.5:25",
        "smtp://localhost.example.com:25",
        "consolemail://",
        "smtp+tls-typo://smtp.example.com",
    ],
    ids=["remote-host", "private-ip", "look-alike-host", "console", "unknown-scheme"],
)
def test_mail_in_clear_to_another_host_is_refused(url):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL sends mail with"):
        require_tls_mail("EMAIL_URL", url)


def test_startup_refuses_a_wildcard_allowed_host():
    result = manage("check", env=production_env(DJANGO_ALLOWED_HOSTS="*"))

    assert_refused(result, "DJANGO_ALLOWED_HOSTS contains '*'")


def test_startup_refuses_a_wildcard_in_dyno_metadata_naming_that_variable():
    env = production_env(HEROKU_APP_DEFAULT_DOMAIN_NAME="*.herokuapp.com")

    assert_refused(manage("check", env=env), "HEROKU_APP_DEFAULT_DOMAIN_NAME contains '*")


def test_startup_refuses_a_heroku_app_name_that_cannot_be_one():
    result = manage("check", env=production_env(HEROKU_APP_NAME="evil.example/x"))

    assert_refused(result, "HEROKU_APP_NAME is 'evil.example/x'")


def test_a_heroku_app_name_adds_that_app_s_default_domain_and_no_other():
    code = (
        "from django.conf import settings as s\n"
        "from django.http.request import validate_host as v\n"
        "print(v('my-shop-0123456789ab.herokuapp.com', s.ALLOWED_HOSTS), "
        "v('other-0123456789ab.herokuapp.com', s.ALLOWED_HOSTS))"
    )
    result = manage(
        "shell", "--verbosity=0", "-c", code, env=production_env(HEROKU_APP_NAME="my-shop")
    )

    assert result.stdout.split() == ["True", "False"], result.stderr


def test_startup_refuses_an_unknown_environment_name():
    result = manage("check", env=production_env(DJANGO_ENV="develop"))

    assert_refused(result, "DJANGO_ENV is 'develop'")


def test_startup_refuses_admin_as_the_admin_path():
    result = manage("check", env=production_env(DJANGO_ADMIN_URL_PATH="admin"))

    assert_refused(result, "DJANGO_ADMIN_URL_PATH is 'admin'")


def test_startup_refuses_a_plaintext_database_connection():
    result = manage(
        "check",
        env=production_env(DATABASE_URL="postgres://u:p@db.example.com:5432/app?sslmode=disable"),
    )

    assert_refused(result, "sslmode=disable")


def test_development_mode_starts_without_a_secret_and_uses_plain_cookie_names():
    code = "from django.conf import settings as s; print(s.SESSION_COOKIE_NAME, s.DEBUG)"
    result = manage(
        "shell",
        "--verbosity=0",
        "-c",
        code,
        env=production_env(DJANGO_ENV="development", DJANGO_SECRET_KEY=None, EMAIL_URL=None),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["sessionid", "True"]


def test_production_database_connections_require_tls():
    code = "from django.conf import settings as s; print(s.DATABASES['default']['OPTIONS'])"
    result = manage(
        "shell",
        "--verbosity=0",
        "-c",
        code,
        env=production_env(DATABASE_URL="postgres://u:p@db.example.com:5432/app"),
    )

    assert result.returncode == 0, result.stderr
    assert "'sslmode': 'require'" in result.stdout


def test_startup_refuses_a_blocked_ip_that_is_no_address():
    result = manage("check", env=production_env(DJANGO_BLOCKED_IPS="203.0.113.7,example.com"))

    assert_refused(result, "DJANGO_BLOCKED_IPS contains 'example.com'")


def test_startup_refuses_a_user_agent_pattern_that_does_not_compile():
    result = manage("check", env=production_env(DJANGO_BLOCKED_USER_AGENTS="sqlmap|(nikto"))

    assert_refused(result, "DJANGO_BLOCKED_USER_AGENTS is not a valid regular expression")


@pytest.mark.parametrize(
    "variables",
    [{"DJANGO_TRUSTED_PROXY_COUNT": "2"}, {"DJANGO_CDN_CLIENT_IP_HEADER": "CF-Connecting-IP"}],
    ids=["two-proxies", "cdn-header"],
)
def test_startup_refuses_to_trust_a_cdn_that_cannot_prove_itself(variables):
    result = manage("check", env=production_env(**variables))

    assert_refused(result, "DJANGO_CDN_ORIGIN_SECRET is not set")


def test_startup_refuses_a_weak_cdn_origin_secret():
    result = manage(
        "check",
        env=production_env(DJANGO_TRUSTED_PROXY_COUNT="2", DJANGO_CDN_ORIGIN_SECRET="hunter2"),
    )

    assert_refused(result, "DJANGO_CDN_ORIGIN_SECRET is too weak")
