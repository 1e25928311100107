"""The endpoint browsers post Content-Security-Policy violation reports to.

Anyone can post here, so it trusts nothing: bodies are capped, the rate is limited
through the shared cache, fields are trimmed and stripped of control characters before
they reach the log, and garbage gets a 400, never a 500.
"""

import json
import logging
import re

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from security.client_ip import client_ip

logger = logging.getLogger("security.csp")

MAX_REPORT_BYTES = 8 * 1024
# Reports accepted per minute from one client (security.client_ip), and from everyone
# together: a flood from one broken page, or from many addresses, cannot fill the log.
MAX_REPORTS_PER_CLIENT_PER_MINUTE = 20
MAX_REPORTS_PER_MINUTE = 200
LOGGED_FIELDS = ("document-uri", "violated-directive", "effective-directive", "blocked-uri",
                 "source-file", "line-number", "disposition")  # fmt: skip
FIELD_ALIASES = {  # the Reporting API (report-to) spells fields in camelCase
    "documentURL": "document-uri",
    "effectiveDirective": "effective-directive",
    "blockedURL": "blocked-uri",
    "sourceFile": "source-file",
    "lineNumber": "line-number",
}
UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f]")


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
        logger.warning("csp_violation %s", " ".join(f"{k}={v}" for k, v in report.items()))
    return HttpResponse(status=204)


def within_rate_limit(request: HttpRequest) -> bool:
    """Count this report in fixed one-minute windows in the shared cache."""
    limits = {
        f"csp-report-count:{client_ip(request)}": MAX_REPORTS_PER_CLIENT_PER_MINUTE,
        "csp-report-count": MAX_REPORTS_PER_MINUTE,
    }
    return all(_count(key) <= limit for key, limit in limits.items())


def _count(key: str) -> int:
    cache.add(key, 0, timeout=60)
    try:
        return cache.incr(key)
    except ValueError:  # the window expired between add and incr: a new one starts
        cache.set(key, 1, timeout=60)
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


def clean(report: dict) -> dict[str, str]:
    fields = {FIELD_ALIASES.get(key, key): value for key, value in report.items()}
    return {
        key: UNPRINTABLE.sub("?", str(fields[key]))[:200] for key in LOGGED_FIELDS if key in fields
    }
