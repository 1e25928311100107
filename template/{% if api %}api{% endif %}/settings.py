"""The REST API's settings, kept with its files; config/parts.py brings them into the
project's settings (README, "REST API"). Every endpoint is locked down by default.
"""

from datetime import timedelta

import environ

env = environ.Env()

# Origins (scheme://host[:port]) whose scripts may call /api/ cross-site, comma-
# separated; empty by default. Any other origin gets no CORS headers at all.
CORS_ALLOWED_ORIGINS = env.list("DJANGO_CORS_ALLOWED_ORIGINS", default=[])
# Only the API answers cross-origin requests; every page stays same-origin.
CORS_URLS_REGEX = r"^/api/"
# Stops any origin from reading responses meant for signed-in users.
CORS_ALLOW_ALL_ORIGINS = False
# Cookies and tokens cross only to the listed origins (no headers go to others).
CORS_ALLOW_CREDENTIALS = True

REST_FRAMEWORK = {
    # Tokens (django-rest-knox: stored hashed, revocable) for API clients; the session,
    # with CSRF enforced, for the site's own pages.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Nothing is public unless a view says so (AllowAny, and why in its docstring): stops
    # default-open endpoints. REST framework's views leave Django's LoginRequiredMiddleware
    # out (it cannot see a token) and answer 401 JSON here instead of a login redirect.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: no browsable API (HTML forms, with its own scripts) in production.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Rate limits per client IP (security.client_ip) and per user, counted in the
    # rate-limit counters' cache (security.cache; never culled early): stops scraping,
    # guessing and upload floods.
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.AnonThrottle",
        "api.throttling.UserThrottle",
        "api.throttling.SensitiveThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": "60/hour",
        "user": "1000/hour",
        # Token login and uploads.
        "sensitive": "20/hour",
    },
    # A client cannot ask for the whole table in one response.
    "DEFAULT_PAGINATION_CLASS": "api.pagination.BoundedPagination",
    # JSON errors, as DRF writes them; a refused permission is logged first.
    "EXCEPTION_HANDLER": "api.exceptions.handler",
}

REST_KNOX = {
    # A stolen token stops working after ten hours; clients sign in again.
    "TOKEN_TTL": timedelta(hours=10),
    # At most ten live tokens per user: a leaked password cannot mint thousands.
    "TOKEN_LIMIT_PER_USER": 10,
    "AUTO_REFRESH": False,
}
