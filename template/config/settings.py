"""Settings: one module, configured by the environment, production when nothing is set.

Read it top to bottom as a checklist. Every hardened line names the attack it stops
and, where Django has one, the deploy check that guards it (`manage.py check --deploy`
runs in the release phase with --fail-level WARNING, so a regression stops the deploy).

Local development opts out in exactly one place: DJANGO_ENV=development, which Copier
wrote into the git-ignored .env file. Nothing else sets it.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from config import project
from config.guards import (
    require_admin_url_path,
    require_heroku_app_name,
    require_host_names,
    require_known_environment,
    require_networks,
    require_pattern,
    require_proxy_proof,
    require_strong_secret,
    require_tls_database,
    require_tls_mail,
)
from config.hosts import HerokuAppHost
from media.s3 import bucket_from_env

# --- Environment and paths -------------------------------------------------------

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Variables already in the environment (Heroku config vars) win over the .env file.
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# The optional parts this project was rendered with: their apps, middleware and settings
# (config/parts.py, which Copier writes; README, "Optional parts"). Imported after .env
# is read, because a part's settings may read the environment too.
from config import parts  # noqa: E402

DJANGO_ENV = require_known_environment(env.str("DJANGO_ENV", default="production"))
DEVELOPMENT = DJANGO_ENV == "development"

# The private media bucket, when AWS_STORAGE_BUCKET_NAME names one (README, "Uploads and
# private media"): media/s3.py reads the AWS_* variables and refuses any it cannot use
# safely. Read here, because the CSP and the storages below both depend on it.
MEDIA_BUCKET = bucket_from_env(env)
# Where the bucket's signed links point: the one origin besides the site's own that
# pages may load images from; empty without a bucket.
MEDIA_ORIGIN = MEDIA_BUCKET.origin if MEDIA_BUCKET else ""

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
# logging everyone out (README, "Rotating the secret key"). security.W025
SECRET_KEY_FALLBACKS = [
    require_strong_secret("DJANGO_SECRET_KEY_FALLBACKS", key)
    for key in env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
]

# --- Hosts and origins -----------------------------------------------------------

# Only these Host headers are served: stops host-header poisoning of absolute URLs
# such as password-reset links. security.W020
ALLOWED_HOSTS = require_host_names(
    "DJANGO_ALLOWED_HOSTS",
    env.list(
        "DJANGO_ALLOWED_HOSTS",
        default=["localhost", "127.0.0.1", "[::1]"] if DEVELOPMENT else [project.PRODUCTION_DOMAIN],
    ),
)
# Heroku's dyno metadata (heroku labs:enable runtime-dyno-metadata) names the app's own
# *.herokuapp.com host exactly: the app answers there too.
HEROKU_APP_DEFAULT_DOMAIN_NAME = env.str("HEROKU_APP_DEFAULT_DOMAIN_NAME", default="")
# Without it, a review app or a Heroku Button deploy still knows its name (app.json
# requires HEROKU_APP_NAME; Heroku fills it in for review apps): the app then answers on
# that app's default domain, <name>-<12 hex digits>.herokuapp.com, from its first
# request, and on no other herokuapp.com host (config/hosts.py).
HEROKU_APP_NAME = require_heroku_app_name("HEROKU_APP_NAME", env.str("HEROKU_APP_NAME", default=""))
if HEROKU_APP_DEFAULT_DOMAIN_NAME:
    ALLOWED_HOSTS += require_host_names(
        "HEROKU_APP_DEFAULT_DOMAIN_NAME", [HEROKU_APP_DEFAULT_DOMAIN_NAME]
    )
elif HEROKU_APP_NAME:
    ALLOWED_HOSTS.append(HerokuAppHost(HEROKU_APP_NAME))

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

# --- Headers and CSP --------------------------------------------------------------

# No page may be framed: stops clickjacking (CSP frame-ancestors below too). security.W019
X_FRAME_OPTIONS = "DENY"
# Browsers trust the declared Content-Type instead of sniffing: stops content-type
# confusion attacks. security.W006
SECURE_CONTENT_TYPE_NOSNIFF = True
# Full URLs (with tokens in them) never leave the site in the Referer. security.W022
SECURE_REFERRER_POLICY = "same-origin"
# Cross-origin windows get no handle on ours: stops cross-window attacks. security.E024
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy, sent by Django's own middleware: only the site's scripts and
# styles run, inline code only with this response's nonce ({% csp_nonce_attr %}), no
# plugins, no <base> rewriting, no framing, forms post only here: contains XSS.
# Django never warns about a missing CSP; the project's tests check this exact policy.
CONTENT_SECURITY_POLICY = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    # Uploaded images come through signed links to the media bucket (MEDIA_ORIGIN).
    "img-src": [CSP.SELF, "data:", *([MEDIA_ORIGIN] if MEDIA_ORIGIN else [])],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "report-uri": ["/csp-report/"],
}
# Roll-out switch: DJANGO_CSP_REPORT_ONLY=true reports violations (to /csp-report/, into
# the log) without blocking anything. Production enforces by default.
CSP_REPORT_ONLY = env.bool("DJANGO_CSP_REPORT_ONLY", default=False)
SECURE_CSP = {} if CSP_REPORT_ONLY else CONTENT_SECURITY_POLICY
SECURE_CSP_REPORT_ONLY = CONTENT_SECURITY_POLICY if CSP_REPORT_ONLY else {}

# Powerful browser features the site does not use are switched off for it and for any
# frame: a script that does get in cannot reach the camera, location or payments.
# Passkeys (publickey-credentials-*) work on the site itself only, never in a frame.
# Only names Chromium recognises: it logs a console error for any other.
PASSKEY_FEATURES = ("publickey-credentials-create", "publickey-credentials-get")
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: ["self"] if feature in PASSKEY_FEATURES else []
    for feature in (
        "accelerometer", "autoplay", "browsing-topics", "camera", "display-capture",
        "encrypted-media", "geolocation", "gyroscope", "hid", "identity-credentials-get",
        "idle-detection", "interest-cohort", "local-fonts", "magnetometer", "microphone",
        "midi", "otp-credentials", "payment", "picture-in-picture", *PASSKEY_FEATURES,
        "screen-wake-lock", "serial", "storage-access", "usb", "window-management",
        "xr-spatial-tracking",
    )
}  # fmt: skip

# Subresource Integrity on the site's own scripts and stylesheets ({% integrity_attrs %}),
# hashed from the collected files: a tampered static file is refused by the browser.
USE_SRI = not DEVELOPMENT
SRI_ALGORITHM = "sha384"

# --- Authentication and passwords ------------------------------------------------

# Email is the login; the model exists from the first migration.
AUTH_USER_MODEL = "users.User"
# Every sign-in, the admin's too, goes through django-allauth's pages (accounts/).
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Argon2id (memory-hard) for new hashes: offline cracking of a leaked table is slow.
# Its costs fit a 512 MB dyno under concurrent logins (users/hashers.py). The others
# only verify older hashes and upgrade them at the next login.
PASSWORD_HASHERS = [
    "users.hashers.Argon2PasswordHasher",
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

# Every password attempt (site, reauthentication, the admin's sign-in, the API's token
# login) passes, in order: django-axes, which refuses it while that address and IP are
# locked out; then the project's check, which spends it from the failure budgets
# (FAILURE_BUDGETS, below) and tries the password in the same time whether or not the
# address has an account (accounts/backends.py). authenticate() needs the request.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.BudgetedAuthenticationBackend",
]

# Brute-force lockout: five failures for one email address from one IP lock that pair
# out for 15 minutes, and every attempt during the pause restarts it. The owner signs
# in from anywhere else, or from a browser that signed in before (a device cookie:
# accounts/devices.py), which axes leaves alone.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Failures are counted in the database: every dyno and worker sees the same count, a
# restart forgets nothing, and with no database no login succeeds (fails closed).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# Counted per client IP as security.client_ip reads it (TRUSTED_PROXY_COUNT, below),
# never from a client-sent header.
AXES_CLIENT_IP_CALLABLE = "security.client_ip.client_ip"
# allauth passes the address as "email"; it is lowercased as the User model stores it,
# so "ADA@example.com" cannot start a fresh count.
AXES_USERNAME_CALLABLE = "accounts.lockout.lockout_username"
AXES_WHITELIST_CALLABLE = "accounts.devices.is_known_device"
# A locked-out visitor gets 429 Too Many Requests with a page that says when to retry.
AXES_LOCKOUT_CALLABLE = "accounts.lockout.locked_out"
# A successful login clears that pair's failures.
AXES_RESET_ON_SUCCESS = True
# Successful logins go to the security log (security/log.py), not a database table.
AXES_DISABLE_ACCESS_LOG = True
# Never stored with a failure record: passwords (always), tokens, codes, addresses.
AXES_SENSITIVE_PARAMETERS = ["username", "login", "email", "ip_address", "csrfmiddlewaretoken",
                             "code"]  # fmt: skip
# No start-up banner or per-attempt detail from axes itself (see LOGGING).
AXES_VERBOSE = False

# Accounts (django-allauth, adapted in accounts/): the email address is the login.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# An unverified account can do nothing: it signs in only once its address is proven.
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# No enumeration: sign-up, login and reset answer alike whether or not an address has
# an account (the owner gets a mail instead), and in the same time (accounts/forms.py).
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_FORMS = {
    "signup": "accounts.forms.SignupForm",
    "reset_password": "accounts.forms.ResetPasswordForm",
}
# One address per account; a new one is verified before it replaces the old, which is told.
ACCOUNT_CHANGE_EMAIL = True
# Security notices by email: password changed, set or reset; email changed; an
# authenticator app, recovery codes or a passkey added or removed.
ACCOUNT_EMAIL_NOTIFICATIONS = True
# A one-time code by email signs in too: the way in that no one else's failures spend.
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
# A reset link proves the mailbox: it signs the owner in (second factor still asked).
ACCOUNT_LOGIN_ON_PASSWORD_RESET = True
# Changing the password or email needs a fresh proof of who you are, not just a
# session: the password, a code by email, or a second factor, within five minutes.
# (Two-factor changes and the data export and deletion ask for it too.)
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
# Links in mails use the request's host (ALLOWED_HOSTS) over HTTPS.
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEVELOPMENT else "https"
# allauth's own limits, per client IP (its adapter reads security.client_ip), address
# ("key") or user, counted in the counters' cache (CACHES["ratelimit"], pointed at by
# accounts/apps.py); when spent: 429. Passwords spend FAILURE_BUDGETS instead;
# "login_failed" here counts wrong second-factor codes, per account, which only
# someone who knows the password can spend.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    # A backstop for floods; failed passwords meet FAILURE_BUDGETS long before it.
    "login": "60/m/ip",
    "signup": "10/10m/ip",
    # Mail bombing: three reset mails per address an hour (each one's link works).
    "reset_password": "10/h/ip,3/h/key",
    "reset_password_from_key": "20/m/ip",
    # One verification mail per address every three minutes.
    "confirm_email": "1/3m/key",
    "request_login_code": "10/h/ip,3/15m/key",
    "reauthenticate": "10/m/user",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}

# Two-factor authentication for everyone (allauth's mfa app), required for staff
# (accounts/middleware.py, accounts/admin_site.py): authenticator apps (TOTP) with
# recovery codes, and passkeys (WebAuthn), which also sign in without a password.
MFA_ADAPTER = "accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
# The code before and after the current one also counts (a phone's clock drifts), as
# django-otp allowed; each is accepted once (allauth remembers used codes).
MFA_TOTP_TOLERANCE = 1
MFA_PASSKEY_LOGIN_ENABLED = True
# Passkeys check the page's origin; a development machine serves plain http.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEVELOPMENT
# Sessions you can see and end (allauth's usersessions): device, IP, last seen.
USERSESSIONS_TRACK_ACTIVITY = True

# --- Applications and middleware -------------------------------------------------

INSTALLED_APPS = [
    # The admin, for staff sessions that completed MFA: accounts/admin_site.py.
    "accounts.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # naturaltime ("3 minutes ago") on the sessions page.
    "django.contrib.humanize",
    # Serve static files through WhiteNoise under runserver too, as in production.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    # The project's apps, lowest layer first: imports flow up this list, never down
    # (README, "Project layout"; tests/config/test_layout.py keeps it so).
    "security",
    "background",
    "media",
    "privacy",
    "users",
    "accounts",
    "pages",
    # Sign-up, verification, passwords, two-factor, sessions (django-allauth); after
    # accounts, whose templates replace allauth's (the site's look, no inline style).
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    # The task queue's tables and admin (django-tasks-db); after background, whose
    # db_worker (with a time limit and recovery) replaces the library's.
    "django_tasks_db",
    # The optional parts this project was rendered with (config/parts.py).
    *parts.APPS,
    # --- Your apps: add them below this line; template releases never edit it. ---
]

MIDDLEWARE = [
    # Block lists, the CDN's proof and the per-client budget, before any session,
    # cookie or query (security/middleware.py): floods and bots cost microseconds.
    "security.middleware.EdgeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The headers of the two above, worked out once, plus CORP, COEP, Permissions-Policy
    # and the CSP with its nonce (in place of Django's ContentSecurityPolicyMiddleware);
    # above WhiteNoise, so static files carry them too (security/headers.py).
    "security.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The optional parts' middleware, before CommonMiddleware, which may answer a
    # request itself (config/parts.py).
    *parts.MIDDLEWARE,
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # allauth's request context; ImmediateHttpResponse (a refused attempt's 429) and
    # reauthentication redirects from any view.
    "allauth.account.middleware.AccountMiddleware",
    # Ends sessions left idle (IDLE_SESSION_TIMEOUT, below), before they count as seen.
    "accounts.middleware.IdleSessionMiddleware",
    # Each session's device, IP and last request, for the sessions page.
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    # Staff without an authenticator reach only the page that sets one up.
    "accounts.middleware.StaffMFAMiddleware",
    # The device cookie a sign-in earned (accounts/devices.py).
    "accounts.middleware.DeviceCookieMiddleware",
    # Last of ours, so it can replace the response of a refused login with the lockout page.
    "axes.middleware.AxesMiddleware",
    # Every view needs a signed-in user unless marked public (security/access.py); last,
    # so it is the final check before the view. REST framework views answer 401 instead.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # --- Your middleware: add it below this line (closest to the views); template
    # releases never edit it. ---
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
                "django.template.context_processors.csp",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pages.context_processors.project_name",
                "pages.context_processors.header_links",
            ],
        },
    },
]

# --- Database --------------------------------------------------------------------

# Heroku Postgres sets DATABASE_URL, which dj-database-url reads; a development machine
# without one uses SQLite. Settings import without it (Heroku's build runs collectstatic
# with no database), and bin/release stops early when it is missing.
DATABASES = {
    "default": require_tls_database(
        dict(
            dj_database_url.config(
                default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}" if DEVELOPMENT else "",
                # Connections come from the pool below (PostgreSQL) and go back to it after
                # each request; each is checked before use, so a database restart does not
                # surface as errors.
                conn_max_age=0,
                conn_health_checks=True,
            )
        ),
        # TLS to the database in production: credentials and data never cross the
        # network in clear (sslmode=require, or the stronger mode the URL asks for).
        enforce=not DEVELOPMENT,
    )
}
# Connections each process may hold: its threads share them (psycopg's pool), so the
# web and worker dynos of app.json's formation stay within the 20 connections of Heroku's
# smallest Postgres plan even while a deploy runs old and new dynos side by side. Raise
# it on bigger plans (docs: Deploying to Heroku, "Database connections").
DB_POOL_SIZE = env.int("DJANGO_DB_POOL_SIZE", default=3)
# A query running longer than this is cancelled (0: never): a slow query cannot hold a
# web thread past the router's 30 s, and repeated ones cannot pile up. bin/release runs
# migrations without it.
DB_STATEMENT_TIMEOUT = env.float("DJANGO_DB_STATEMENT_TIMEOUT", default=5)
if DATABASES["default"].get("ENGINE") == "django.db.backends.postgresql":
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "pool": {"min_size": 1, "max_size": DB_POOL_SIZE, "timeout": 10},
        "options": f"-c statement_timeout={round(DB_STATEMENT_TIMEOUT * 1000)}",
    }

# Caches shared by every worker and dyno, in the database (their tables are created by
# migrations), so nothing depends on one process's memory.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "django_cache",
    },
    # Rate-limit counters (the CSP report endpoint, the API's throttles, allauth's
    # limits: security/cache.py) in a table of their own that never culls a live
    # entry. Django's culls a third of its entries past 300, and a culled counter
    # starts again from zero: a flood would reset the limits that hold it back.
    "ratelimit": {
        "BACKEND": "security.cache.CounterCache",
        "LOCATION": "ratelimit_cache",
        # Past this many rows, each write first deletes the expired ones.
        "OPTIONS": {"MAX_ENTRIES": 10_000},
    },
}

# --- Static and media storage ----------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# Uploads ("media") go to the private bucket when there is one (MEDIA_BUCKET, above), to
# MEDIA_ROOT on a development machine, and nowhere otherwise: a dyno's disk is wiped at
# every restart and not shared between dynos, so production without a bucket refuses
# uploads with a form error rather than lose them (media/storage.py). No URL serves
# MEDIA_ROOT: files are reached through views that check ownership first.
MEDIA_ROOT = BASE_DIR / "uploads"
MEDIA_S3_OPTIONS = {
    # Bucket, region, endpoint, credentials and custom domain, from the AWS_* variables.
    **(MEDIA_BUCKET.connection_options() if MEDIA_BUCKET else {}),
    # Signature version 4, the only one new AWS buckets accept; links say X-Amz-Expires.
    "signature_version": "s3v4",
    # No ACL is sent: objects stay private to the bucket's owner (ACLs disabled, Block
    # Public Access on). A public-read ACL would publish every upload to the internet.
    "default_acl": None,
    # Links to files are signed and expire after five minutes: a link that leaks into a
    # log, a browser history or a forwarded email soon opens nothing.
    "querystring_auth": True,
    "querystring_expire": 300,
    # A name already taken gets a new one: no upload replaces another user's file.
    "file_overwrite": False,
    # Every object under media/, the one prefix the app's IAM policy needs to grant.
    "location": "media",
}
STORAGES = {
    # Uploads: the bucket; a development machine's disk; or, in production without a
    # bucket, nowhere (media.storage.NoMediaStorage refuses every file).
    "default": (
        {"BACKEND": "media.storage.PrivateMediaStorage", "OPTIONS": MEDIA_S3_OPTIONS}
        if MEDIA_BUCKET
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
        if DEVELOPMENT
        else {"BACKEND": "media.storage.NoMediaStorage"}
    ),
    # Hashed names (cached for a year, immutable) and gzip/brotli copies, built by
    # collectstatic at Heroku's build step and served by WhiteNoise: never S3.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Django buffers a file before any validator runs and DATA_UPLOAD_MAX_MEMORY_SIZE does
# not count files: the first handler stops reading a file one byte past UPLOAD_MAX_SIZE
# (below), so a huge upload cannot fill the dyno's memory or disk.
FILE_UPLOAD_HANDLERS = [
    "media.uploads.UploadSizeCapHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# ... and a request carries at most ten files, so one request buffers at most ten caps.
DATA_UPLOAD_MAX_NUMBER_FILES = 10

# --- Background tasks ------------------------------------------------------------

# Work that waits on another service, every email first of all, leaves the request:
# Django's task framework queues it in the database (django-tasks-db) and the
# Procfile's worker runs it. A request's timing then never depends on a mail server,
# so the reset form cannot tell a registered address from an unknown one by its speed.
# Development runs tasks at once, inside the request (no worker needed);
# DJANGO_TASKS_IMMEDIATE=false runs the real queue there too. In production the deploy
# check refuses the immediate backend (background.E001).
if env.bool("DJANGO_TASKS_IMMEDIATE", default=DEVELOPMENT):
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The worker interrupts a task after this many seconds: below Heroku's 30 s between
# SIGTERM and SIGKILL, so a restart never cuts a task short. A task RUNNING for three
# times as long has lost its worker and is run again (background/queue.py).
BACKGROUND_TASK_TIME_LIMIT = 20
# A mail the provider refuses or cannot take now is tried again after these delays
# (seconds), then given up with an error line: five attempts within 43 minutes, while
# a password-reset link (PASSWORD_RESET_TIMEOUT) still works.
BACKGROUND_EMAIL_RETRY_DELAYS = [30, 120, 480, 1920]
# Due work older than this means no worker is running: an error line in the web log
# at the next email, and `manage.py check_queue` fails.
BACKGROUND_QUEUE_MAX_AGE = 300

# --- Email -----------------------------------------------------------------------

# Every sender (Django's password reset, any library, send_mail()) uses the default
# mailer, which queues the message for the worker (background/mail.py); the worker
# sends it through "direct". Error reports to ADMINS use "errors": queued too, but sent
# through "direct" at once when the queue cannot take them, because they matter most
# when the database, and so the queue, is down (at most one a minute per process).
if DEVELOPMENT:
    # Printed to the terminal; the deploy check refuses this in production. background.E002
    _direct_mailer: dict[str, object] = {
        "BACKEND": "django.core.mail.backends.console.EmailBackend"
    }
else:
    # SMTP from one URL, e.g. smtp+tls://user:password@smtp.example.com:587: password
    # resets must really leave the building.
    if "EMAIL_URL" not in env:
        raise ImproperlyConfigured(
            "EMAIL_URL is not set. Set it to your SMTP provider, for example "
            "smtp+tls://user:password@smtp.example.com:587, as a config var."
        )
    # ... over TLS (smtp+tls:// or smtps://): reset links never cross the network in
    # clear. Plain smtp:// only to this machine (a local relay, a test server).
    _smtp = env.email_url_config(require_tls_mail("EMAIL_URL", env.str("EMAIL_URL")))
    _direct_mailer = {
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
MAILERS = {
    "default": {
        "BACKEND": "background.mail.QueuedEmailBackend",
        "OPTIONS": {"deliver_with": "direct"},
    },
    "direct": _direct_mailer,
    "errors": {
        "BACKEND": "background.mail.ErrorReportBackend",
        "OPTIONS": {"queue_with": "default", "fallback": "direct", "fallback_interval": 60},
    },
}

DEFAULT_FROM_EMAIL = env.str(
    "DJANGO_DEFAULT_FROM_EMAIL", default=f"noreply@{project.PRODUCTION_DOMAIN}"
)
SERVER_EMAIL = env.str("DJANGO_SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# Who receives error reports (a traceback and the request, secrets cleansed) for every
# unhandled exception, by email through MAILERS["errors"]: comma-separated addresses;
# none, no reports. The log has every error either way.
ADMINS = env.list("DJANGO_ADMINS", default=[])

# --- Logging ---------------------------------------------------------------------

# Everything goes to standard output, where Heroku's log router collects it. The
# django.security logger (disallowed hosts, suspicious operations, CSRF failures) is
# always on, so attacks leave a trace, and never mails anyone: a scanner's forged Host
# headers would flood the admins. Log lines never include settings or secrets.
# Errors of Django's own loggers (a 500 above all) are also mailed to ADMINS
# (mail_admins, through MAILERS["errors"]), unless DEBUG shows them on the page.
# The "security" logger writes one logfmt line per login, failure, lockout, throttled
# attempt, logout, sign-up, verification, password or email change, second factor
# added, removed or failed, and denied permission, with user id, client IP and Heroku
# request id (security/log.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "{levelname} {name} {message}", "style": "{"},
    },
    # The secret of a reset or confirmation link never reaches the log or an error mail,
    # whoever logs the URL (Django logs the path of a 404): security/access_log.py, like
    # gunicorn's log.
    "filters": {
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        "redact": {"()": "security.access_log.RedactingFilter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "redact"],
            "using": "errors",
        },
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": ["console", "mail_admins"], "level": "INFO", "propagate": False},
        "django.security": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "security": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # django-axes warns once per failure and lockout, which the security logger
        # already reports with more context; its errors (misconfiguration) still show.
        "axes": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}

# --- Internationalisation --------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- This project's own settings --------------------------------------------------

# Read by the project's apps, not by Django or a library: plain names, outside
# Django's SECURE_ namespace and any library's prefix.

# The client's IP for lockout, security logs, block lists and budgets
# (security/client_ip.py): the entry Heroku's router, the one trusted proxy, appended
# last to X-Forwarded-For. Entries to its left are whatever the client claims: trusting
# one would let an attacker pick a fresh IP per request and never be locked out. Count
# every proxy in front of the router too (2 behind a CDN or WAF; docs/edge.md).
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=1)
# With a CDN or WAF in front: the secret it sends in X-Origin-Secret, without which a
# request went around it (403), and the header it names the client in (CF-Connecting-IP,
# CloudFront-Viewer-Address, Fastly-Client-IP...), trusted only with the secret.
CDN_ORIGIN_SECRET = env.str("DJANGO_CDN_ORIGIN_SECRET", default="")
CDN_CLIENT_IP_HEADER = env.str("DJANGO_CDN_CLIENT_IP_HEADER", default="")
require_proxy_proof(TRUSTED_PROXY_COUNT, CDN_ORIGIN_SECRET, CDN_CLIENT_IP_HEADER)

# Clients refused with 403 before anything else runs (security.middleware.EdgeMiddleware):
# addresses and CIDR ranges, IPv4 and IPv6, and one regular expression searched in the
# User-Agent (ignoring case). Geography and reputation belong at a CDN (docs/edge.md).
BLOCKED_IPS = require_networks("DJANGO_BLOCKED_IPS", env.list("DJANGO_BLOCKED_IPS", default=[]))
BLOCKED_USER_AGENTS = require_pattern(
    "DJANGO_BLOCKED_USER_AGENTS", env.str("DJANGO_BLOCKED_USER_AGENTS", default="")
)
# Requests a minute one client may make to one web process (0: no limit), and requests
# it may have in progress there at once (half of gunicorn.conf.py's threads): one client
# cannot monopolise a dyno, by flooding or by holding its threads. Over either, 429 with
# Retry-After. Counted in the process's memory: a per-request database query would cost
# more than the pages it protects (docs/edge.md). Static files and the health check are
# exempt.
REQUEST_BUDGET = env.int("DJANGO_REQUEST_BUDGET", default=600)
CLIENT_CONCURRENCY = 4
REQUEST_BUDGET_EXEMPT_PATHS = [f"/{STATIC_URL}", "/healthz/"]

# Failure budgets for password attempts (accounts/budgets.py): (attempts, seconds),
# sliding; a right password gives its attempt back. Spent, an attempt waits (429 with
# Retry-After) until the oldest in the window ages out: slowed, never locked out.
FAILURE_BUDGETS = {
    # One network (an IPv4 address, an IPv6 /64) across all accounts: credential stuffing.
    "network": (20, 15 * 60),
    # One account across all networks: guessing its password from many IPs.
    "account": (10, 15 * 60),
    # A browser that signed in to the account before, instead of the two above: the
    # owner never waits for strangers' failures (accounts/devices.py).
    "device": (5, 15 * 60),
}
# That browser's signed cookie: host-only, HTTPS-only, out of reach of scripts.
DEVICE_COOKIE_NAME = "device" if DEVELOPMENT else "__Host-device"
DEVICE_COOKIE_AGE = 60 * 60 * 24 * 90

# A sign-up that passed the form answers after at least this long, whether the address
# was new or taken: no stopwatch tells which addresses have accounts (accounts/views.py).
SIGNUP_MIN_RESPONSE_SECONDS = 0.4

# Sessions end after this much idle time, or sooner once they opened the admin: a
# forgotten browser or a stolen laptop is signed out (accounts/middleware.py).
IDLE_SESSION_TIMEOUT = 60 * 60 * 2
IDLE_ADMIN_SESSION_TIMEOUT = 60 * 15

# Cross-Origin-Resource-Policy on every response (security/middleware.py; Django has no
# setting for it): other sites cannot embed our responses, which stops cross-origin
# reads such as Spectre-style leaks of authenticated pages.
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"
# Cross-Origin-Embedder-Policy on every response (security/middleware.py): our pages
# load other origins' resources only without credentials, so an embedded resource can
# never act with a visitor's cookies elsewhere; with COOP the page is cross-origin
# isolated. `credentialless` keeps the bucket's signed image links working.
CROSS_ORIGIN_EMBEDDER_POLICY = "credentialless"

# The admin sits at a path chosen per project; /admin/ is a 404 for scanners.
ADMIN_URL_PATH = require_admin_url_path(
    "DJANGO_ADMIN_URL_PATH", env.str("DJANGO_ADMIN_URL_PATH", default=project.ADMIN_URL_PATH)
)

# Deny by default (security/access.py): every view needs a signed-in user, through
# LoginRequiredMiddleware, unless it is marked login_not_required and says why. The
# project's own public views say it in their docstring; a library's public views are
# these, by URL name, each with its reason. tests/config/test_walk.py walks every URL
# and fails on a public view that is in neither place, or an entry no URL uses.
PUBLIC_LIBRARY_VIEWS = {
    # django-allauth's pages for someone not (yet) signed in (accounts/urls.py).
    "account_login": "The sign-in page: no one is signed in before it.",
    "account_logout": "Signing out needs no session: without one it just goes home.",
    "account_inactive": "Tells a deactivated account why it cannot sign in.",
    "account_email_verification_sent": "Tells a new account to follow its mailed link.",
    "account_confirm_email": "The mailed verification link is the proof, before sign-in.",
    "account_reset_password": "For whoever cannot sign in; answers alike for any address.",
    "account_reset_password_done": "Tells someone who cannot sign in the reset mail is sent.",
    "account_reset_password_from_key": "The mailed reset link is the proof, before sign-in.",
    "account_reset_password_from_key_done": "Tells the owner the new password is set.",
    "account_request_login_code": "Asks for a sign-in code by mail: the owner's way in.",
    "account_confirm_login_code": "Takes that mailed code, before the session is signed in.",
    "mfa_authenticate": "The second step of a sign-in: the password was right, no session yet.",
    "mfa_login_webauthn": "Sign-in with a passkey alone: no one is signed in before it.",
}

# Uploads larger than this are refused with a form error (media/uploads.py), and the
# first of FILE_UPLOAD_HANDLERS stops buffering one byte past it: one request cannot
# fill a dyno's memory, its disk or the bucket.
UPLOAD_MAX_SIZE = 10 * 1024 * 1024
# PDFs with JavaScript or actions a viewer runs by itself (opening a site, launching a
# program, submitting a form: /JS, /OpenAction, /AA, /Launch...) are refused: they
# attack whoever opens them (media/pdf.py). True accepts them, for sites whose users
# exchange scripted forms on purpose.
UPLOAD_ALLOW_ACTIVE_PDF = False

# --- Optional parts ---------------------------------------------------------------

# The settings each optional part keeps with its files, for the parts this project was
# rendered with (config/parts.py; README, "Optional parts"): none without them.
from config.parts import *  # noqa: E402, F403

# --- Your settings ----------------------------------------------------------------

# Settings of your own go below this line: template releases never edit it.
