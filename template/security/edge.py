"""What the edge middleware (security.middleware.EdgeMiddleware) counts and matches.

All of it lives in the web process's memory, on purpose and unlike the rest of the
project's state (DESIGN, principle 8): it runs before every request, where a query to
the shared database cache would cost more than the page it protects (docs/edge.md
has the measurement), and what it protects is the process itself: its threads. A
restart forgets the counts, which only gives every client a fresh budget.

- `Networks`: the blocked addresses and CIDR ranges, matched in a few set lookups;
- `RequestBudget`: requests per minute per client, as a generic cell rate algorithm
  (one number per client: when its next request is due);
- `InFlight`: requests one client has in progress at once;
- `RefusalLog`: refusals counted per reason, one security log line per reason and
  minute at most, however many requests are refused.
"""

import ipaddress
import logging
import threading
import time
from collections.abc import Iterable

from django.http import HttpRequest

from security.log import security_event

IPv6_CLIENT_PREFIX = 64  # one subscriber's IPv6 network: counted as one client


class Networks:
    """A set of IPv4 and IPv6 networks; `address in networks` costs one set lookup per
    distinct prefix length, however many networks there are."""

    def __init__(self, networks: Iterable[str]) -> None:
        # {version: {prefix length: {network address >> host bits}}}
        self._by_length: dict[int, dict[int, set[int]]] = {4: {}, 6: {}}
        for spec in networks:
            network = _unmapped(ipaddress.ip_network(spec.strip(), strict=False))
            host_bits = network.max_prefixlen - network.prefixlen
            self._by_length[network.version].setdefault(network.prefixlen, set()).add(
                int(network.network_address) >> host_bits
            )
        self._lengths = {
            version: sorted(lengths.items()) for version, lengths in self._by_length.items()
        }

    def __bool__(self) -> bool:
        return any(self._lengths.values())

    def __contains__(self, address: object) -> bool:
        if not isinstance(address, str):
            return False
        try:
            parsed = ipaddress.ip_address(address)
        except ValueError:
            return False
        value, bits = int(parsed), parsed.max_prefixlen
        return any(
            value >> (bits - length) in networks
            for length, networks in self._lengths[parsed.version]
        )


def _unmapped(
    network: ipaddress.IPv4Network | ipaddress.IPv6Network,
) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """::ffff:192.0.2.0/120 as 192.0.2.0/24: client_ip gives IPv4-mapped clients as IPv4."""
    if isinstance(network, ipaddress.IPv6Network) and network.prefixlen >= 96:
        mapped = network.network_address.ipv4_mapped
        if mapped is not None:
            return ipaddress.IPv4Network(f"{mapped}/{network.prefixlen - 96}")
    return network


def client_key(address: str | None) -> str:
    """Who a budget counts: the address, or for IPv6 its /64, which a subscriber gets whole
    and could otherwise cycle through to start a fresh budget with every request."""
    if address is None:
        return "-"
    if ":" not in address:
        return address
    network = ipaddress.ip_network(f"{address}/{IPv6_CLIENT_PREFIX}", strict=False)
    return str(network)


class RequestBudget:
    """At most `per_minute` requests a minute per client, in bursts of up to that many.

    The generic cell rate algorithm: each client's next request is due `60 / per_minute`
    seconds after the previous one's due time, and a request more than a minute ahead
    of its due time is refused. One float per client, forgotten once it is in the past
    (the client then has its whole budget again).
    """

    def __init__(self, per_minute: int, max_clients: int = 50_000) -> None:
        self.interval = 60 / per_minute
        self.tolerance = 60 - self.interval
        self.max_clients = max_clients
        self._due: dict[str, float] = {}
        self._lock = threading.Lock()

    def spend(self, client: str, now: float | None = None) -> float:
        """Count one request: 0 when it is within the budget, else the seconds to wait."""
        now = time.monotonic() if now is None else now
        with self._lock:
            due = max(self._due.get(client, now), now)
            wait = due - self.tolerance - now
            if wait > 0:
                return wait
            self._due[client] = due + self.interval
            if len(self._due) > self.max_clients:
                self._forget(now)
            return 0.0

    def _forget(self, now: float) -> None:
        """Drop clients whose budget is whole again; if all are busy (a flood from very
        many addresses), drop them all rather than grow without bound."""
        self._due = {client: due for client, due in self._due.items() if due > now}
        if len(self._due) > self.max_clients:
            self._due.clear()


class InFlight:
    """Requests in progress per client: at most `limit` at once."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def enter(self, client: str) -> bool:
        with self._lock:
            count = self._counts.get(client, 0)
            if count >= self.limit:
                return False
            self._counts[client] = count + 1
            return True

    def leave(self, client: str) -> None:
        with self._lock:
            count = self._counts.get(client, 1) - 1
            if count > 0:
                self._counts[client] = count
            else:
                self._counts.pop(client, None)


class RefusalLog:
    """Refused requests, counted per reason: the first refusal is logged at once, then at
    most one line per reason every `interval` seconds, with the number refused since the
    previous line. A flood costs the log a line a minute, not a line a request."""

    def __init__(self, interval: float = 60) -> None:
        self.interval = interval
        self._counts: dict[str, int] = {}
        self._logged_at: dict[str, float] = {}
        self._lock = threading.Lock()

    def refused(self, reason: str, request: HttpRequest, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            self._counts[reason] = self._counts.get(reason, 0) + 1
            last = self._logged_at.get(reason)
            if last is not None and now - last < self.interval:
                return
            count = self._counts.pop(reason)
            self._logged_at[reason] = now
        security_event(
            "request_refused",
            request,
            reason=reason,
            refused=count,
            level=logging.WARNING,
        )
