"""gunicorn settings for Heroku, loaded by the Procfile's web process.

Nothing here relies on the buildpack: Heroku's newer stack sets neither
WEB_CONCURRENCY nor FORWARDED_ALLOW_IPS, so both have explicit defaults.
"""

import os

# Heroku routes traffic to $PORT on every interface.
bind = f"[::]:{os.environ.get('PORT', '8000')}"

# Two worker processes fit a 512 MB dyno with room to spare; raise WEB_CONCURRENCY
# on larger dynos. Threads let one slow request not hold up a whole worker.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = 4

# Heroku's router gives up after 30 s; stop a stuck request first so the worker is
# recycled and the log says which request it was.
timeout = 25
# Heroku sends SIGTERM and waits 30 s before SIGKILL: finish requests in flight.
graceful_timeout = 20
keepalive = 5

# Recycle workers now and then, so a slow leak can never exhaust the dyno's memory.
max_requests = 1000
max_requests_jitter = 100

# Heroku's router is the only way in and sets X-Forwarded-*; it is trusted. (Django
# decides https through SECURE_PROXY_SSL_HEADER; this only sets wsgi.url_scheme.)
forwarded_allow_ips = "*"

# Access log on stdout, with Heroku's request id to match the router's log line.
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}i)s'
errorlog = "-"
