"""/healthz/: the web process is up and serving, for an uptime monitor.

It touches no database and no session, so it costs almost nothing; that is why the
request budget exempts it (settings.REQUEST_BUDGET_EXEMPT_PATHS) and a monitor polling
every few seconds is never refused. The block lists and the CDN's proof still apply.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@login_not_required
@never_cache
@require_safe
def health(request: HttpRequest) -> HttpResponse:
    """Public: an uptime monitor has no account; the answer says only "ok"."""
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
