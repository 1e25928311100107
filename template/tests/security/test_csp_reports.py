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


def post_from(client, address: str):
    # As Heroku's router delivers it: the client's address appended last.
    return client.post(
        "/csp-report/",
        json.dumps(REPORT),
        content_type="application/csp-report",
        secure=True,
        headers={"x-forwarded-for": f"203.0.113.99, {address}"},
    )


def test_reports_are_rate_limited_per_client(client):
    from security.csp_reports import MAX_REPORTS_PER_CLIENT_PER_MINUTE as LIMIT

    statuses = [post_from(client, "198.51.100.7").status_code for _ in range(LIMIT + 1)]

    assert statuses[:LIMIT] == [204] * LIMIT
    assert statuses[-1] == 429
    assert post_from(client, "198.51.100.8").status_code == 204, "another client is unaffected"


def test_reports_are_rate_limited_for_everyone_together(client, settings):
    from security import csp_reports

    statuses = [
        post_from(client, f"198.51.100.{n}").status_code
        for n in range(csp_reports.MAX_REPORTS_PER_MINUTE + 1)
    ]

    assert statuses[-1] == 429
    assert statuses.count(204) == csp_reports.MAX_REPORTS_PER_MINUTE


def test_get_is_not_allowed(client):
    assert client.get("/csp-report/", secure=True).status_code == 405
