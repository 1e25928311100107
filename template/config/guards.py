"""Start-up guards: refuse an unsafe configuration before Django serves anything.

Each guard raises ImproperlyConfigured with a message that names the variable to set
and says how to fix it, so a failed release on Heroku explains itself in the log.
"""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

ENVIRONMENTS = ("production", "development")

# The same bar as Django's security.W009 check, enforced at start-up instead of warned.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5
SECRET_KEY_INSECURE_PREFIX = "django-insecure-"  # noqa: S105 (a prefix we refuse)
GENERATE_SECRET_KEY = "python -c 'import secrets; print(secrets.token_urlsafe(50))'"  # noqa: S105

ADMIN_URL_PATH_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{2,62}")
RESERVED_ADMIN_URL_PATHS = frozenset({"admin", "accounts", "static", "media", "well-known"})

# S3 bucket names, AWS region names (eu-west-1, us-gov-west-1) and host names.
BUCKET_NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
REGION_PATTERN = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]+")
HOST_NAME_PATTERN = re.compile(r"([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?[.])+[a-z]{2,63}")

# PostgreSQL sslmode values that still allow a plaintext connection.
PLAINTEXT_SSLMODES = frozenset({"disable", "allow", "prefer"})


def require_known_environment(value: str) -> str:
    """Return DJANGO_ENV if it is one we know; a typo must not pick a mode silently."""
    if value not in ENVIRONMENTS:
        raise ImproperlyConfigured(
            f"DJANGO_ENV is {value!r}; use 'production' (the default when unset) or "
            "'development' (local machines only)."
        )
    return value


def require_strong_secret(name: str, value: str) -> str:
    """Return the secret if it is strong enough to sign sessions and tokens."""
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set. Generate one with {GENERATE_SECRET_KEY} and set it as a "
            f"config var (heroku config:set {name}=...)."
        )
    if (
        len(value) < SECRET_KEY_MIN_LENGTH
        or len(set(value)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
        or value.startswith(SECRET_KEY_INSECURE_PREFIX)
    ):
        raise ImproperlyConfigured(
            f"{name} is too weak: it needs at least {SECRET_KEY_MIN_LENGTH} characters, "
            f"{SECRET_KEY_MIN_UNIQUE_CHARACTERS} different ones, and must not start with "
            f"{SECRET_KEY_INSECURE_PREFIX!r}. Generate one with {GENERATE_SECRET_KEY}."
        )
    return value


def require_host_names(name: str, hosts: list[str]) -> list[str]:
    """Return the hosts if every one is a name; '*' would accept any Host header."""
    if not hosts:
        raise ImproperlyConfigured(f"{name} is empty; list the host names the site serves.")
    for host in hosts:
        if "*" in host or "/" in host or not host.strip():
            raise ImproperlyConfigured(
                f"{name} contains {host!r}; list host names such as www.example.com "
                "(a leading dot allows subdomains). Wildcards would accept forged Host headers."
            )
    return hosts


def require_admin_url_path(name: str, value: str) -> str:
    """Return the admin path if it is URL-safe and not the one every scanner tries."""
    if not ADMIN_URL_PATH_PATTERN.fullmatch(value) or value in RESERVED_ADMIN_URL_PATHS:
        raise ImproperlyConfigured(
            f"{name} is {value!r}; use 3 to 63 lowercase letters, digits, '-' or '_', "
            "without slashes, and not 'admin'."
        )
    return value


def require_tls_database(database: dict) -> dict:
    """Return a PostgreSQL configuration that refuses plaintext connections.

    Heroku Postgres serves certificates that do not verify against a public CA, so
    `require` (encrypt, do not verify) is the strongest mode that works there; a URL
    that asks for verify-ca or verify-full keeps its stronger mode.
    """
    if database.get("ENGINE") != "django.db.backends.postgresql":
        return database
    options = dict(database.get("OPTIONS") or {})
    sslmode = options.setdefault("sslmode", "require")
    if sslmode in PLAINTEXT_SSLMODES:
        raise ImproperlyConfigured(
            f"DATABASE_URL asks for sslmode={sslmode}; production requires TLS. "
            "Remove the sslmode parameter or use sslmode=require."
        )
    return {**database, "OPTIONS": options}


def require_bucket_name(name: str, bucket: str) -> str:
    """Return an S3 bucket name (or none) if it is one S3 accepts."""
    if bucket and (not BUCKET_NAME_PATTERN.fullmatch(bucket) or ".." in bucket):
        raise ImproperlyConfigured(
            f"{name} is {bucket!r}; a bucket name has 3 to 63 lowercase letters, digits, "
            "dots and hyphens, e.g. my-site-media (the name only, no s3:// or URL)."
        )
    return bucket


def require_media_endpoint(name: str, url: str) -> str:
    """Return an S3-compatible endpoint URL if it is an origin reached over HTTPS.

    Plain http is accepted for loopback only (an S3 API server on the same machine, as
    in the tests): anywhere else uploads and signed links would cross the network in
    clear.
    """
    if not url:
        return url
    parts = urlsplit(url)
    loopback = parts.hostname in {"127.0.0.1", "localhost", "::1"}
    if (
        parts.scheme not in {"https", "http"}
        or (parts.scheme == "http" and not loopback)
        or not parts.hostname
        or parts.path not in {"", "/"}
        or parts.query
        or parts.username
    ):
        raise ImproperlyConfigured(
            f"{name} is {url!r}; use the provider's https:// endpoint without a path, "
            "e.g. https://s3.fr-par.scw.cloud (the bucket goes in AWS_STORAGE_BUCKET_NAME)."
        )
    return url.rstrip("/")


def require_media_region(bucket: str, region: str, endpoint_url: str) -> str:
    """Return the bucket's region; on AWS requests are signed for it, so it must be known."""
    if bucket and not endpoint_url and not REGION_PATTERN.fullmatch(region):
        raise ImproperlyConfigured(
            f"AWS_S3_REGION_NAME is {region!r}; with AWS_STORAGE_BUCKET_NAME set it must be "
            "the bucket's AWS region, e.g. eu-west-1 (S3 console, the bucket's properties)."
        )
    return region


def require_signed_custom_domain(domain: str, key_id: str, key: str) -> str:
    """Return a media custom domain only if links on it can be signed.

    django-storages signs links on a custom domain only with a CloudFront key pair;
    without one every link to a private file would be unsigned and never expire.
    """
    if not domain:
        return domain
    if not HOST_NAME_PATTERN.fullmatch(domain):
        raise ImproperlyConfigured(
            f"AWS_S3_CUSTOM_DOMAIN is {domain!r}; use a host name such as "
            "media.example.com, without https:// or a path."
        )
    if not (key_id and key):
        raise ImproperlyConfigured(
            "AWS_S3_CUSTOM_DOMAIN is set without AWS_CLOUDFRONT_KEY_ID and "
            "AWS_CLOUDFRONT_KEY: links on a custom domain are signed only with a CloudFront "
            "key pair, and unsigned links to private files would never expire. Set both "
            "(docs: Private media on S3), or unset AWS_S3_CUSTOM_DOMAIN to use signed S3 links."
        )
    return domain
