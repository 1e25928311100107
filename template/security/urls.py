from django.urls import path

from security.csp_reports import csp_report
from security.health import health

urlpatterns = [
    # Where browsers post Content-Security-Policy violations (settings: report-uri).
    path("csp-report/", csp_report, name="csp-report"),
    # For an uptime monitor: exempt from the request budget (settings).
    path("healthz/", health, name="health"),
]
