"""gunicorn settings for Heroku, loaded by the Procfile's web process.

Heroku's classic Python buildpack sets WEB_CONCURRENCY (by dyno size) and
FORWARDED_ALLOW_IPS='*'; its newer Fir stack (Cloud Native Buildpacks) sets neither.
Nothing here relies on either: every value has an explicit default.
"""

import os

from security.forwarded import mark_repeated_forwarded_for

# Heroku routes traffic to $PORT on every interface.
bind = f"[::]:{os.environ.get('PORT', '8000')}"

# Two worker processes fit a 512 MB dyno with room to spare; the classic buildpack sets
# WEB_CONCURRENCY by dyno size, or set it yourself on a larger dyno.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Each worker serves requests on a pool of threads. The router streams request bodies,
# so a slow client holds a thread while it sends: eight per worker keep a dyno answering
# through a few slow clients, and settings.CLIENT_CONCURRENCY (half of this) stops one
# client from holding more. Eight concurrent Argon2 hashes (19 MiB each, users/hashers.py)
# per worker still fit a 512 MB dyno; the threads share DJANGO_DB_POOL_SIZE connections.
worker_class = "gthread"
threads = 8

# Not a request time limit: the master restarts a worker whose main loop has not checked
# in for this long (a wedged C extension). A gthread worker keeps checking in while its
# threads are busy, so no slow request is ever stopped by it. What bounds a request is
# the router (30 s to the first byte, then H12), PostgreSQL's statement_timeout
# (DJANGO_DB_STATEMENT_TIMEOUT) and the deadline on slow request bodies (security/bodies.py).
timeout = 25
# Heroku sends SIGTERM and waits 30 s before SIGKILL: finish requests in flight.
graceful_timeout = 20
# Heroku's Router 2.0 keeps idle connections to the dyno open for 90 s: a dyno that
# closed them sooner would race the router's next request (H13/H18 errors). Heroku's own
# getting-started app uses 95.
keepalive = 95

# Recycle workers now and then, so a slow leak can never exhaust the dyno's memory.
max_requests = 1000
max_requests_jitter = 100

# What a request may bring: the router forwards the client's request line and headers
# after buffering them, and these bound what a worker parses and keeps in memory.
limit_request_line = 4094  # bytes: the method, the longest URL the site serves, version
limit_request_fields = 50  # header fields: a browser sends about 20, the router adds 6
limit_request_field_size = 8190  # bytes per header field: cookies included

# Only Heroku's router can reach a dyno's port, and its addresses are neither fixed nor
# published, so every peer is trusted as the router ('*'). It is believed about one
# thing only: X-Forwarded-Proto, which it sets and overwrites (Django decides https
# through SECURE_PROXY_SSL_HEADER too; this sets wsgi.url_scheme). The router passes
# any other header as the client wrote it, so none may reach the WSGI environment as
# anything but a plain HTTP_* header: no SCRIPT_NAME or PATH_INFO from a header
# (forwarder_headers), X-Forwarded-Ssl and X-Forwarded-Protocol ignored, and header
# names with underscores dropped (header_map), since they would collide with dashes.
forwarded_allow_ips = "*"
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
forwarder_headers = ""
header_map = "drop"


def pre_request(worker: object, req: object) -> None:
    """Mark a request whose X-Forwarded-For came on several lines, before gunicorn joins
    them and the client's own line would pass for the router's (security/forwarded.py)."""
    req.headers = mark_repeated_forwarded_for(req.headers)  # type: ignore[attr-defined]


# Access log on stdout, with Heroku's request id to match the router's log line, and
# without the secrets of reset and confirmation links (security/access_log.py).
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}i)s'
logger_class = "security.access_log.RedactingLogger"
errorlog = "-"
