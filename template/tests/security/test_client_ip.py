"""The client's IP comes from the entry Heroku's router appended, never the client's."""

import pytest

from security.client_ip import client_ip

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
