"""The client's IP comes from the entry Heroku's router appended, never the client's."""

import pytest

from security.client_ip import SHARED_CLIENT, candidate_addresses, client_ip

ROUTER_SEEN = "203.0.113.9"


def request_with(rf, forwarded_for: str | None = None, remote_addr: str = "10.1.2.3"):
    headers = {"x-forwarded-for": forwarded_for} if forwarded_for is not None else {}
    return rf.get("/", headers=headers, REMOTE_ADDR=remote_addr)


def test_router_entry_is_the_client_ip(rf):
    assert client_ip(request_with(rf, ROUTER_SEEN)) == ROUTER_SEEN


@pytest.mark.parametrize(
    "forged",
    ["198.51.100.1", "127.0.0.1, 198.51.100.1", "not-an-ip"],
    ids=["one-entry", "two-entries", "garbage"],
)
def test_entries_the_client_sent_are_ignored(rf, forged):
    # Heroku appends what it saw after whatever the client sent.
    request = request_with(rf, f"{forged}, {ROUTER_SEEN}")

    assert client_ip(request) == ROUTER_SEEN


def test_peer_address_is_used_without_a_forwarded_header(rf):
    assert client_ip(request_with(rf, remote_addr="192.0.2.44")) == "192.0.2.44"


def test_malformed_router_entry_falls_back_to_the_peer_address(rf):
    request = request_with(rf, f"{ROUTER_SEEN}, bogus", remote_addr="192.0.2.44")

    assert client_ip(request) == "192.0.2.44"


def test_ipv4_mapped_ipv6_address_is_the_same_client(rf):
    assert client_ip(request_with(rf, f"::ffff:{ROUTER_SEEN}")) == ROUTER_SEEN


def test_ipv6_address_is_normalised(rf):
    assert client_ip(request_with(rf, "2001:DB8:0:0::1")) == "2001:db8::1"


def test_unknown_address_is_none(rf):
    assert client_ip(request_with(rf, remote_addr="")) is None


def test_repeated_forwarded_lines_share_one_address(rf):
    # gunicorn's pre_request hook marks a request whose X-Forwarded-For came on two lines.
    request = rf.get(
        "/",
        headers={"x-forwarded-for": f"{ROUTER_SEEN},198.51.100.7", "x-forwarded-for-lines": "2"},
    )

    assert client_ip(request) == SHARED_CLIENT


def test_repeated_forwarded_lines_never_yield_a_client_chosen_address(rf):
    chosen = {
        client_ip(
            rf.get(
                "/",
                headers={
                    "x-forwarded-for": f"{ROUTER_SEEN},198.51.100.{n}",
                    "x-forwarded-for-lines": "2",
                },
            )
        )
        for n in range(5)
    }

    assert chosen == {SHARED_CLIENT}


def test_candidate_addresses_of_a_repeated_header_are_every_entry(rf):
    request = rf.get(
        "/",
        headers={
            "x-forwarded-for": f"198.51.100.7, {ROUTER_SEEN},junk",
            "x-forwarded-for-lines": "2",
        },
        REMOTE_ADDR="10.1.2.3",
    )

    assert candidate_addresses(request) == ["198.51.100.7", ROUTER_SEEN, "10.1.2.3"]


def test_candidate_address_of_an_ordinary_request_is_the_client(rf):
    assert candidate_addresses(request_with(rf, f"198.51.100.7, {ROUTER_SEEN}")) == [ROUTER_SEEN]


def test_two_proxies_make_the_cdn_entry_the_client(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 2

    request = request_with(rf, f"198.51.100.1, {ROUTER_SEEN}, 172.64.0.1")

    assert client_ip(request) == ROUTER_SEEN


@pytest.fixture
def cdn(settings):
    settings.CDN_ORIGIN_SECRET = "s3cret-s3cret-s3cret-s3cret-s3cret-s3cret-s3cret-s3cret"
    settings.TRUSTED_PROXY_COUNT = 2
    return settings


@pytest.mark.parametrize(
    ("header", "value", "expected"),
    [
        ("CF-Connecting-IP", "198.51.100.23", "198.51.100.23"),
        ("Fastly-Client-IP", "2001:db8::23", "2001:db8::23"),
        ("CloudFront-Viewer-Address", "198.51.100.23:46532", "198.51.100.23"),
        ("CloudFront-Viewer-Address", "2001:db8::23:46532", "2001:db8::23"),
        ("CloudFront-Viewer-Address", "[2001:db8::23]:46532", "2001:db8::23"),
    ],
)
def test_cdn_client_ip_header_is_read_when_the_secret_proves_the_cdn(
    rf, cdn, header, value, expected
):
    cdn.CDN_CLIENT_IP_HEADER = header
    request = rf.get(
        "/",
        headers={header: value, "x-origin-secret": cdn.CDN_ORIGIN_SECRET,
                 "x-forwarded-for": f"{ROUTER_SEEN}, 172.64.0.1"},
    )  # fmt: skip

    assert client_ip(request) == expected


def test_cdn_client_ip_header_is_ignored_without_the_secret(rf, cdn):
    cdn.CDN_CLIENT_IP_HEADER = "CF-Connecting-IP"
    request = rf.get(
        "/",
        headers={"cf-connecting-ip": "198.51.100.23", "x-origin-secret": "guess",
                 "x-forwarded-for": f"{ROUTER_SEEN}, 172.64.0.1"},
    )  # fmt: skip

    assert client_ip(request) == ROUTER_SEEN
