from django.urls import path

from security.csp_reports import csp_report

urlpatterns = [
    # Where browsers post Content-Security-Policy violations (settings: report-uri).
    path("csp-report/", csp_report, name="csp-report"),
]
