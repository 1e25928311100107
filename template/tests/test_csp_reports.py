"""The CSP report endpoint logs violations and survives garbage."""

import json

import pytest

pytestmark = pytest.mark.django_db

REPORT = {
    "csp-report": {
        "document-uri": "https://example.com/page",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "blocked-uri": "inline",
        "original-policy": "default-src 'none'",
    }
}


def post(client, body, content_type="application/csp-report"):
    return client.post("/csp-report/", body, content_type=content_type, secure=True)


def test_violation_report_is_logged(client, caplog):
    response = post(client, json.dumps(REPORT))

    assert response.status_code == 204
    assert "csp_violation" in caplog.text
    assert "blocked-uri=inline" in caplog.text


def test_reporting_api_list_is_accepted(client, caplog):
    report = {"documentURL": "https://example.com/", "blockedURL": "eval"}
    body = [{"type": "csp-violation", "body": report}]

    response = post(client, json.dumps(body), "application/reports+json")

    assert response.status_code == 204
    assert "blocked-uri=eval" in caplog.text


@pytest.mark.parametrize(
    "garbage",
    [b"", b"not json", b"\xff\xfe\x00", b"[]", b"{}", b'{"csp-report": "x"}', b"[1, 2]", b"null"],
)
def test_garbage_gets_400_never_500(client, garbage):
    assert post(client, garbage).status_code == 400


def test_oversized_report_is_refused(client):
    body = json.dumps({"csp-report": {"blocked-uri": "x" * 20_000}})

    assert post(client, body).status_code == 413


def test_control_characters_cannot_forge_log_lines(client, caplog):
    report = {"csp-report": {"blocked-uri": "evil\nINFO forged line"}}

    post(client, json.dumps(report))

    assert "\nINFO forged line" not in caplog.text


def test_reports_are_rate_limited(client):
    from core.csp_reports import MAX_REPORTS_PER_MINUTE

    body = json.dumps(REPORT)
    statuses = [post(client, body).status_code for _ in range(MAX_REPORTS_PER_MINUTE + 1)]

    assert statuses[:MAX_REPORTS_PER_MINUTE] == [204] * MAX_REPORTS_PER_MINUTE
    assert statuses[-1] == 429


def test_get_is_not_allowed(client):
    assert client.get("/csp-report/", secure=True).status_code == 405
