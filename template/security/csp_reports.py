"""The endpoint browsers post Content-Security-Policy violation reports to.

Anyone can post here, so it trusts nothing: bodies are capped, the rate is limited
per client and site-wide, fields are trimmed, and each report is one security-log
line whose values are escaped as every security event's are (security.log), so a
report cannot break the line or forge a key. Garbage gets a 400, never a 500.

The limits are counted in fixed one-minute windows in the rate-limit counters' cache
(security.cache), per client first (security.client_ip): a client past its own limit
is refused without touching the site-wide budget. The site-wide budget is split: a
client's first NEW_CLIENT_REPORTS reports in a window draw on a share of it that the
rest of its reports cannot touch, so a few busy (or hostile) addresses use up only
their own part and a page that breaks for someone new is still heard.
"""

import json
import logging
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from security.cache import counters
from security.client_ip import client_ip
from security.log import security_event

MAX_REPORT_BYTES = 8 * 1024
WINDOW_SECONDS = 60
# Reports accepted per minute from one client, and from everyone together: a flood
# from one broken page, or from many addresses, cannot fill the log.
MAX_REPORTS_PER_CLIENT_PER_MINUTE = 20
MAX_REPORTS_PER_MINUTE = 200
# Each client's first reports in a window count against a share of the site-wide
# budget of their own: exhausting it takes NEW_CLIENT_SHARE / NEW_CLIENT_REPORTS (50)
# different addresses a minute, not the ten that fill the rest.
NEW_CLIENT_REPORTS = 2
NEW_CLIENT_SHARE = 100
LOGGED_FIELDS = ("document-uri", "violated-directive", "effective-directive", "blocked-uri",
                 "source-file", "line-number", "disposition")  # fmt: skip
FIELD_ALIASES = {  # the Reporting API (report-to) spells fields in camelCase
    "documentURL": "document-uri",
    "effectiveDirective": "effective-directive",
    "blockedURL": "blocked-uri",
    "sourceFile": "source-file",
    "lineNumber": "line-number",
}


@login_not_required
@csrf_exempt  # browsers send reports without cookies or tokens
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Log the violations a browser reports.

    Public: browsers post reports from any page, the login page's too, without cookies;
    the size cap, the rate limits and the cleaned fields make that safe.
    """
    declared_length = request.headers.get("content-length") or "0"
    if not declared_length.isdigit() or int(declared_length) > MAX_REPORT_BYTES:
        return HttpResponse(status=413)
    if not within_rate_limit(request):
        return HttpResponse(status=429, headers={"Retry-After": "60"})
    try:
        reports = parse_reports(request.read(MAX_REPORT_BYTES + 1))
    except ValueError:
        return HttpResponse(status=400)
    for report in reports:
        security_event("csp_violation", request, level=logging.WARNING, **report)
    return HttpResponse(status=204)


def within_rate_limit(request: HttpRequest) -> bool:
    """Count this report against its client's limit, then against its share of the site's."""
    sent = _count(f"csp-report-count:{client_ip(request)}")
    if sent > MAX_REPORTS_PER_CLIENT_PER_MINUTE:
        return False
    if sent <= NEW_CLIENT_REPORTS:
        return _count("csp-report-count:new-clients") <= NEW_CLIENT_SHARE
    return _count("csp-report-count:repeats") <= MAX_REPORTS_PER_MINUTE - NEW_CLIENT_SHARE


def _count(key: str) -> int:
    counters.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        return int(counters.incr(key))
    except ValueError:  # the window expired between add and incr: a new one starts
        counters.set(key, 1, timeout=WINDOW_SECONDS)
        return 1


def parse_reports(body: bytes) -> list[dict[str, str]]:
    """Reports from a report-uri body ({"csp-report": {...}}) or a report-to list."""
    if len(body) > MAX_REPORT_BYTES:
        raise ValueError("report too large")
    payload = json.loads(body)  # raises ValueError on anything but JSON
    if isinstance(payload, dict) and isinstance(payload.get("csp-report"), dict):
        raw_reports = [payload["csp-report"]]
    elif isinstance(payload, list):
        bodies = [item.get("body") for item in payload if isinstance(item, dict)]
        raw_reports = [body for body in bodies if isinstance(body, dict)]
    else:
        raise ValueError("not a CSP report")
    if not raw_reports:
        raise ValueError("no reports")
    return [clean(report) for report in raw_reports[:10]]


def clean(report: dict[str, Any]) -> dict[str, str]:
    """The fields worth logging, by their report-uri names; security_event escapes them."""
    fields = {FIELD_ALIASES.get(key, key): value for key, value in report.items()}
    return {key: str(fields[key]) for key in LOGGED_FIELDS if key in fields}
