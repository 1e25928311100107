"""Start-up guards: refuse an unsafe configuration before Django serves anything.

Each guard raises ImproperlyConfigured with a message that names the variable to set
and says how to fix it, so a failed release on Heroku explains itself in the log. The
media bucket's checks live with the media app (media/s3.py).
"""

import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from config.hosts import HEROKU_APP_NAME_PATTERN

ENVIRONMENTS = ("production", "development")

# The same bar as Django's security.W009 check, enforced at start-up instead of warned.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5
SECRET_KEY_INSECURE_PREFIX = "django-insecure-"  # noqa: S105 (a prefix we refuse)
GENERATE_SECRET_KEY = "python -c 'import secrets; print(secrets.token_urlsafe(50))'"  # noqa: S105

ADMIN_URL_PATH_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{2,62}")
RESERVED_ADMIN_URL_PATHS = frozenset({"admin", "accounts", "static", "media", "well-known"})

# PostgreSQL sslmode values that still allow a plaintext connection.
PLAINTEXT_SSLMODES = frozenset({"disable", "allow", "prefer"})

# EMAIL_URL schemes (django-environ) that encrypt the connection: STARTTLS on the
# submission port, or TLS from the first byte. Django's SMTP backend verifies the
# server's certificate and fails rather than send in clear when STARTTLS is refused.
TLS_MAIL_SCHEMES = frozenset({"smtp+tls", "smtps", "smtp+ssl"})
# Plain smtp:// may only reach this machine (a local relay, a test server).
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


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


def require_tls_database(database: dict[str, Any], *, enforce: bool = True) -> dict[str, Any]:
    """Return a PostgreSQL configuration that refuses plaintext connections.

    Heroku Postgres serves certificates that do not verify against a public CA, so
    `require` (encrypt, do not verify) is the strongest mode that works there; a URL
    that asks for verify-ca or verify-full keeps its stronger mode. With `enforce` off
    (a development machine) and for other databases, the configuration is kept as is.
    """
    if not enforce or database.get("ENGINE") != "django.db.backends.postgresql":
        return database
    options = dict(database.get("OPTIONS") or {})
    sslmode = options.setdefault("sslmode", "require")
    if sslmode in PLAINTEXT_SSLMODES:
        raise ImproperlyConfigured(
            f"DATABASE_URL asks for sslmode={sslmode}; production requires TLS. "
            "Remove the sslmode parameter or use sslmode=require."
        )
    return {**database, "OPTIONS": options}


def require_networks(name: str, values: list[str]) -> list[str]:
    """Return the addresses and CIDR ranges if every one parses (IPv4 or IPv6)."""
    for value in values:
        try:
            ipaddress.ip_network(value.strip(), strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} contains {value!r}; list IP addresses or CIDR ranges separated "
                "by commas, such as 203.0.113.7,198.51.100.0/24,2001:db8::/32."
            ) from None
    return [value.strip() for value in values]


def require_pattern(name: str, value: str) -> str:
    """Return the regular expression if it compiles."""
    try:
        re.compile(value)
    except re.error as error:
        raise ImproperlyConfigured(
            f"{name} is not a valid regular expression ({error}); give one pattern, "
            "such as sqlmap|nikto|masscan, matched anywhere in the User-Agent, ignoring case."
        ) from None
    return value


def require_proxy_proof(proxies: int, secret: str, client_ip_header: str) -> None:
    """Refuse to trust what only a proxy in front of the router should set, unless the
    request can prove it came through that proxy (DJANGO_CDN_ORIGIN_SECRET)."""
    if proxies < 0:
        raise ImproperlyConfigured(
            f"DJANGO_TRUSTED_PROXY_COUNT is {proxies}; use 1 for Heroku's router alone, "
            "2 with a CDN or WAF in front of it (docs: At the edge)."
        )
    if secret:
        require_strong_secret("DJANGO_CDN_ORIGIN_SECRET", secret)
        return
    if proxies > 1 or client_ip_header:
        what = (
            f"DJANGO_CDN_CLIENT_IP_HEADER ({client_ip_header})"
            if client_ip_header
            else f"DJANGO_TRUSTED_PROXY_COUNT={proxies}"
        )
        raise ImproperlyConfigured(
            f"{what} trusts a proxy in front of Heroku's router, but DJANGO_CDN_ORIGIN_SECRET "
            "is not set: anyone could reach the app around that proxy and pick their own "
            "address. Have the proxy send the header X-Origin-Secret with a value generated "
            f"by {GENERATE_SECRET_KEY}, and set the same value as DJANGO_CDN_ORIGIN_SECRET."
        )


def require_tls_mail(name: str, url: str) -> str:
    """Return an SMTP URL whose connection is encrypted, or reaches this machine only.

    Mail carries password-reset links: over plain SMTP anyone on the path can read and
    use them. The message names the scheme and host, never the URL (it holds a password).
    """
    parts = urlsplit(url)
    if parts.scheme in TLS_MAIL_SCHEMES:
        return url
    if parts.scheme == "smtp" and (parts.hostname or "") in LOOPBACK_HOSTS:
        return url
    raise ImproperlyConfigured(
        f"{name} sends mail with {parts.scheme or 'no scheme'}:// to "
        f"{parts.hostname or 'no host'}; production requires TLS: use "
        "smtp+tls://user:password@smtp.example.com:587 (STARTTLS) or "
        "smtps://user:password@smtp.example.com:465. Plain smtp:// is accepted only to "
        "this machine (localhost, 127.0.0.1, ::1)."
    )


def require_heroku_app_name(name: str, value: str) -> str:
    """Return a Heroku app name (or none); anything else cannot be this app's name."""
    if value and not HEROKU_APP_NAME_PATTERN.fullmatch(value):
        raise ImproperlyConfigured(
            f"{name} is {value!r}; it must be this app's name on Heroku (3 to 30 lowercase "
            "letters, digits and dashes, starting with a letter), as `heroku apps:info` shows it."
        )
    return value
