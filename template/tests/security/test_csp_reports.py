"""The CSP report endpoint logs violations and survives garbage."""

import json

import pytest

from security.csp_reports import MAX_REPORTS_PER_CLIENT_PER_MINUTE as LIMIT
from security.csp_reports import MAX_REPORTS_PER_MINUTE, NEW_CLIENT_SHARE

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
    statuses = [post_from(client, "198.51.100.7").status_code for _ in range(LIMIT + 1)]

    assert statuses[:LIMIT] == [204] * LIMIT
    assert statuses[-1] == 429
    assert post_from(client, "198.51.100.8").status_code == 204, "another client is unaffected"


def test_a_value_cannot_forge_a_key_in_the_log_line(client, caplog):
    report = {"csp-report": {"blocked-uri": "x violated-directive=forged", "line-number": 7}}

    post(client, json.dumps(report))

    (line,) = [r.getMessage() for r in caplog.records if "event=csp_violation" in r.getMessage()]
    assert 'blocked-uri="x violated-directive=forged"' in line, "escaped as security.log escapes"
    assert " violated-directive=forged" not in line.replace('"x violated-directive=forged"', "")
    assert line.endswith("line-number=7")


def test_new_clients_share_of_the_site_wide_budget_is_bounded(client):
    addresses = [f"198.51.100.{n}" for n in range(NEW_CLIENT_SHARE + 1)]

    statuses = [post_from(client, address).status_code for address in addresses]

    assert statuses.count(204) == NEW_CLIENT_SHARE
    assert statuses[-1] == 429


def test_ten_busy_clients_cannot_exhaust_the_budget_for_anyone_else(client):

    busy = [f"198.51.100.{n}" for n in range(10) for _ in range(LIMIT + 5)]

    statuses = [post_from(client, address).status_code for address in busy]

    assert statuses.count(204) < MAX_REPORTS_PER_MINUTE, "ten addresses got the whole budget"
    assert post_from(client, "203.0.113.50").status_code == 204, "a new client must still be heard"


def test_a_flood_of_other_counters_never_resets_a_client_s_count(client):
    """400 counters (other clients', other limits') in the cache the endpoint counts in:
    Django's database cache would cull a third of its live entries past 300."""
    from security.cache import counters

    statuses = [post_from(client, "198.51.100.7").status_code for _ in range(LIMIT + 1)]
    assert statuses[-1] == 429
    for n in range(400):
        counters.set(f"csp-report-count:203.0.{n // 250}.{n % 250}", 1, timeout=60)

    assert post_from(client, "198.51.100.7").status_code == 429, "the count must survive"


def test_get_is_not_allowed(client):
    assert client.get("/csp-report/", secure=True).status_code == 405
