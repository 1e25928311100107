"""Repeated X-Forwarded-For lines, marked while gunicorn can still tell them apart.

Heroku's Router 2.0 joins the X-Forwarded-For lines a client sends and appends the
address it saw, so a dyno gets one line whose last entry is the router's. The legacy
router, which apps can still switch back to, appended its entry to the first line only
and passed any later line on as the client wrote it. gunicorn joins repeated lines in
order, so that later line would end up right-most, where the router's entry belongs:
the client would choose its own address for the login lockout, the request budget and
the logs. Once joined, the lines cannot be told apart, so gunicorn's pre_request hook
(gunicorn.conf.py) calls `mark_repeated_forwarded_for` before Django sees the request:
a request with more than one line gets the X-Forwarded-For-Lines header, and
security.client_ip then puts it in one shared bucket rather than trust any of its
entries. A client cannot set the header itself: any copy it sends is dropped here.

Plain Python with no Django import: gunicorn's master loads it before any worker starts.
"""

FORWARDED_FOR = "X-FORWARDED-FOR"
# Set by the hook only; request.META spells it HTTP_X_FORWARDED_FOR_LINES.
LINES = "X-FORWARDED-FOR-LINES"
LINES_META_KEY = "HTTP_X_FORWARDED_FOR_LINES"


def mark_repeated_forwarded_for(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The request's headers (gunicorn's upper-case names), with LINES set if and only if
    X-Forwarded-For came on more than one line; the lines themselves are kept."""
    lines = 0
    forged = False
    for name, _ in headers:
        if name == FORWARDED_FOR:
            lines += 1
        elif name == LINES:
            forged = True
    if lines < 2 and not forged:
        return headers  # the usual case: nothing to change, nothing copied
    kept = [(name, value) for name, value in headers if name != LINES]
    if lines > 1:
        kept.append((LINES, str(lines)))
    return kept
