"""Failure budgets: how many password attempts a network, an account and a browser get.

Every password attempt (the login form, reauthentication, the admin, the API's token
login) spends from budgets in sliding windows (settings.FAILURE_BUDGETS):

- the client's network (its IPv4 address, or its IPv6 /64) across all accounts:
  credential stuffing from one place;
- the account across all networks: guessing one password from many IPs;
- or, for a browser that signed in to the account before (accounts.devices), that
  browser's own budget instead of the other two: strangers' failures never make the
  owner wait.

A right password gives its attempt back. Once a budget is spent, attempts are refused
before the password is checked, with 429 Too Many Requests and Retry-After: the
seconds until the oldest attempt in the window ages out. Refused attempts spend
nothing, so the window keeps sliding: an account under attack is slowed, never locked.

Counts live in the rate-limit counters' cache (security.cache: the database, never
culled), so every dyno agrees and no flood resets them; a cache that fails raises, so
with the database down no attempt gets through (fails closed).
"""

import hashlib
import ipaddress
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings

from security.cache import counters as cache

# How long one attempt may hold a budget's lock, and wait for another's.
LOCK_SECONDS = 10
LOCK_WAIT_SECONDS = 2


@dataclass(frozen=True)
class Budget:
    """`attempts` per `seconds` (sliding) for one scope: network, account or device."""

    scope: str
    attempts: int
    seconds: int

    @classmethod
    def named(cls, scope: str) -> "Budget":
        attempts, seconds = settings.FAILURE_BUDGETS[scope]
        return cls(scope, attempts, seconds)

    def cache_key(self, subject: str) -> str:
        digest = hashlib.sha256(subject.encode()).hexdigest()
        return f"failure-budget:{self.scope}:{digest}"


@dataclass(frozen=True)
class Spent:
    """One attempt taken from a budget, to be given back if the password was right."""

    budget: Budget
    key: str
    at: float

    def refund(self) -> None:
        with locked(self.key):
            history = [stamp for stamp in cache.get(self.key, []) if stamp != self.at]
            cache.set(self.key, history, self.budget.seconds)


@dataclass
class Attempt:
    """The budgets one password attempt spent from; `wait` > 0 when it was refused."""

    spent: list[Spent] = field(default_factory=list)
    wait: int = 0

    def refund(self) -> None:
        for entry in self.spent:
            entry.refund()


class LockTimeout(Exception):
    """Another attempt held a budget too long: this one is refused, never let through."""


@contextmanager
def locked(key: str) -> Iterator[None]:
    """One attempt at a time reads and writes a budget (cache.add is atomic in the table)."""
    lock = f"{key}:lock"
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    pause = 0.005
    while not cache.add(lock, True, LOCK_SECONDS):
        if time.monotonic() > deadline:
            raise LockTimeout(key)
        time.sleep(pause)
        pause = min(pause * 2, 0.1)
    try:
        yield
    finally:
        cache.delete(lock)


def take(budget: Budget, subject: str) -> Spent | int:
    """Spend one attempt of `subject`'s budget, or return the seconds until one is free."""
    key = budget.cache_key(subject)
    now = time.time()
    with locked(key):
        history = [stamp for stamp in cache.get(key, []) if stamp > now - budget.seconds]
        if len(history) >= budget.attempts:
            oldest_counted = sorted(history, reverse=True)[budget.attempts - 1]
            return max(1, math.ceil(oldest_counted + budget.seconds - now))
        cache.set(key, [now, *history], budget.seconds)
    return Spent(budget, key, now)


def network(ip: str | None) -> str:
    """The client's network: its IPv4 address, or the /64 its IPv6 address is in."""
    if ip is None:
        return "unknown"
    address = ipaddress.ip_address(ip)
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def spend(subjects: list[tuple[str, str]]) -> Attempt:
    """Spend one attempt from each (scope, subject), all or none.

    A refused attempt gives back what it had already taken, so it spends nothing.
    """
    attempt = Attempt()
    for scope, subject in subjects:
        try:
            taken = take(Budget.named(scope), subject)
        except LockTimeout:
            taken = 1
        if isinstance(taken, int):
            attempt.refund()
            return Attempt(wait=taken)
        attempt.spent.append(taken)
    return attempt
