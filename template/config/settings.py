"""Settings: one module, configured by the environment, production when nothing is set.

Read it top to bottom as a checklist. Every hardened line names the attack it stops
and, where Django has one, the deploy check that guards it (`manage.py check --deploy`
runs in the release phase with --fail-level WARNING, so a regression stops the deploy).

Local development opts out in exactly one place: DJANGO_ENV=development, which Copier
wrote into the git-ignored .env file. Nothing else sets it.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from config import project
from config.guards import (
    require_admin_url_path,
    require_host_names,
    require_known_environment,
    require_strong_secret,
    require_tls_database,
)

# --- Environment and paths -------------------------------------------------------

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Variables already in the environment (Heroku config vars) win over the .env file.
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = require_known_environment(env.str("DJANGO_ENV", default="production"))
DEVELOPMENT = DJANGO_ENV == "development"

# --- Debug and secrets -----------------------------------------------------------

# Tracebacks and settings in error pages would leak internals. security.W018
DEBUG = env.bool("DJANGO_DEBUG", default=DEVELOPMENT)

# Signs sessions, password-reset links and CSRF tokens: forged if guessed. security.W009
# Development may use this fixed key; production refuses it (it starts "django-insecure-").
DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-never-deploy-this-7Hq2xZ9vK4mB8nR1"  # noqa: S105
if DEVELOPMENT:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
else:
    SECRET_KEY = require_strong_secret("DJANGO_SECRET_KEY", env.str("DJANGO_SECRET_KEY", ""))

# Old keys still accepted while sessions signed with them expire: rotate without
# logging everyone out (see README, "Rotating the secret key"). security.W025
SECRET_KEY_FALLBACKS = [
    require_strong_secret("DJANGO_SECRET_KEY_FALLBACKS", key)
    for key in env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
]

# --- Hosts and origins -----------------------------------------------------------

# Only these Host headers are served: stops host-header poisoning of absolute URLs
# such as password-reset links. security.W020
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS",
    default=["localhost", "127.0.0.1", "[::1]"] if DEVELOPMENT else [project.PRODUCTION_DOMAIN],
)
# Heroku's dyno metadata (heroku labs:enable runtime-dyno-metadata) names the app's own
# *.herokuapp.com host, so review apps and Heroku Button deploys answer there too.
HEROKU_APP_DEFAULT_DOMAIN_NAME = env.str("HEROKU_APP_DEFAULT_DOMAIN_NAME", default="")
if HEROKU_APP_DEFAULT_DOMAIN_NAME:
    ALLOWED_HOSTS.append(HEROKU_APP_DEFAULT_DOMAIN_NAME)
require_host_names("DJANGO_ALLOWED_HOSTS", ALLOWED_HOSTS)

# Origins (scheme and host) whose unsafe requests pass CSRF checks: the site itself.
CSRF_TRUSTED_ORIGINS = env.list(
    "DJANGO_CSRF_TRUSTED_ORIGINS",
    default=[
        f"{'http' if DEVELOPMENT else 'https'}://{'*' if host.startswith('.') else ''}{host}"
        for host in ALLOWED_HOSTS
    ],
)

# --- HTTPS and HSTS --------------------------------------------------------------

# Heroku's router ends TLS and says so in X-Forwarded-Proto; it overwrites any value a
# client sends, so is_secure() cannot be spoofed through it.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Plain HTTP is redirected before any view runs: no credentials in clear text. security.W008
SECURE_SSL_REDIRECT = not DEVELOPMENT
# Browsers refuse plain HTTP for a year after one visit: stops SSL stripping. security.W004
SECURE_HSTS_SECONDS = 0 if DEVELOPMENT else 31_536_000
# ... on every subdomain too, so a forgotten subdomain cannot set cookies. security.W005
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEVELOPMENT
# ... and from the very first visit once the domain is on the preload lists. security.W021
SECURE_HSTS_PRELOAD = project.HSTS_PRELOAD and not DEVELOPMENT
if not project.HSTS_PRELOAD:
    # Preload was declined when the project was rendered (a commitment for every
    # subdomain); this silences exactly that check and nothing else.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]

# --- Cookies and sessions --------------------------------------------------------

# Sent only over HTTPS, so a network attacker cannot read them. security.W012, W016
SESSION_COOKIE_SECURE = not DEVELOPMENT
CSRF_COOKIE_SECURE = not DEVELOPMENT
# The session cookie is out of reach of page scripts: XSS cannot steal it. security.W013
SESSION_COOKIE_HTTPONLY = True
# Not sent on cross-site subrequests or POSTs: blunts CSRF and cross-site leaks.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# The __Host- prefix makes browsers refuse these cookies unless Secure, Path=/ and
# host-only, so a sibling subdomain cannot inject or overwrite them. Browsers reject
# __Host- cookies over plain http, so development uses the plain names.
SESSION_COOKIE_NAME = "sessionid" if DEVELOPMENT else "__Host-sessionid"
CSRF_COOKIE_NAME = "csrftoken" if DEVELOPMENT else "__Host-csrftoken"
# A stolen session cookie stops working after a day.
SESSION_COOKIE_AGE = 60 * 60 * 24

# --- Headers ---------------------------------------------------------------------

# No page may be framed: stops clickjacking. security.W019
X_FRAME_OPTIONS = "DENY"
# Browsers trust the declared Content-Type instead of sniffing: stops content-type
# confusion attacks. security.W006
SECURE_CONTENT_TYPE_NOSNIFF = True
# Full URLs (with tokens in them) never leave the site in the Referer. security.W022
SECURE_REFERRER_POLICY = "same-origin"
# Cross-origin windows get no handle on ours: stops cross-window attacks. security.E024
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# --- Authentication and passwords ------------------------------------------------

# Email is the login; the model exists from the first migration.
AUTH_USER_MODEL = "users.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Argon2 (memory-hard) for new hashes: offline cracking of a leaked table is slow.
# The others only verify older hashes and upgrade them at the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Long, uncommon passwords that are not the user's own details: stops guessing.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A password-reset link found later in a mailbox is useless after an hour.
PASSWORD_RESET_TIMEOUT = 60 * 60

# The admin sits at a path chosen per project; /admin/ is a 404 for scanners.
ADMIN_URL_PATH = require_admin_url_path(
    "DJANGO_ADMIN_URL_PATH", env.str("DJANGO_ADMIN_URL_PATH", default=project.ADMIN_URL_PATH)
)

# --- Applications and middleware -------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Serve static files through WhiteNoise under runserver too, as in production.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "core",
    "users",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.project_name",
            ],
        },
    },
]

# --- Database --------------------------------------------------------------------

# Heroku Postgres sets DATABASE_URL. Settings import without it (Heroku's build runs
# collectstatic with no database); bin/release stops early when it is missing.
if "DATABASE_URL" in env:
    DATABASES = {"default": env.db_url("DATABASE_URL")}
elif DEVELOPMENT:
    DATABASES = {"default": env.db_url_config(f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
else:
    DATABASES = {}
if not DEVELOPMENT and DATABASES:
    # TLS to the database: credentials and data never cross the network in clear.
    DATABASES["default"] = require_tls_database(DATABASES["default"])
for database in DATABASES.values():
    # Reuse connections for 10 minutes, checked before reuse so a restart of the
    # database server does not surface as errors.
    database["CONN_MAX_AGE"] = 600
    database["CONN_HEALTH_CHECKS"] = True

# One cache shared by every worker and dyno, in the database (its table is created by
# a migration), so nothing depends on one process's memory.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "django_cache",
    }
}

# --- Static files ----------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names (cached for a year, immutable) and gzip/brotli copies, built by
    # collectstatic at Heroku's build step and served by WhiteNoise.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Email -----------------------------------------------------------------------

if DEVELOPMENT:
    # Printed to the terminal; Django's deploy check refuses this in production. mail.E001
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    # SMTP from one URL, e.g. smtp+tls://user:password@smtp.example.com:587: password
    # resets must really leave the building.
    if "EMAIL_URL" not in env:
        raise ImproperlyConfigured(
            "EMAIL_URL is not set. Set it to your SMTP provider, for example "
            "smtp+tls://user:password@smtp.example.com:587, as a config var."
        )
    _smtp = env.email_url("EMAIL_URL")
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _smtp["EMAIL_HOST"],
                "port": _smtp["EMAIL_PORT"],
                "username": _smtp["EMAIL_HOST_USER"],
                "password": _smtp["EMAIL_HOST_PASSWORD"],
                "use_tls": _smtp.get("EMAIL_USE_TLS", False),
                "use_ssl": _smtp.get("EMAIL_USE_SSL", False),
                "timeout": 10,
            },
        }
    }

DEFAULT_FROM_EMAIL = env.str(
    "DJANGO_DEFAULT_FROM_EMAIL", default=f"noreply@{project.PRODUCTION_DOMAIN}"
)
SERVER_EMAIL = env.str("DJANGO_SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# Who receives error reports by email (comma-separated addresses).
ADMINS = env.list("DJANGO_ADMINS", default=[])

# --- Logging ---------------------------------------------------------------------

# Everything goes to standard output, where Heroku's log router collects it. The
# django.security logger (disallowed hosts, suspicious operations, CSRF failures) is
# always on, so attacks leave a trace. Log lines never include settings or secrets.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "{levelname} {name} {message}", "style": "{"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.security": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# --- Internationalisation --------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
