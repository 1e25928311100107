"""Rate-limit counters live in a cache that never culls a live entry (security/cache.py)."""

import time

import pytest
import time_machine
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection

from security.cache import counters

pytestmark = pytest.mark.django_db

SMALL = {
    "BACKEND": "security.cache.CounterCache",
    "LOCATION": "ratelimit_cache",
    "OPTIONS": {"MAX_ENTRIES": 50},
}


def test_past_max_entries_only_expired_counters_are_deleted(settings):
    settings.CACHES = {**settings.CACHES, "ratelimit": SMALL}
    cache = caches["ratelimit"]
    with time_machine.travel(time.time(), tick=False) as clock:
        cache.set_many({f"expiring-{n}": n for n in range(30)}, timeout=60)
        clock.shift(120)
        for n in range(200):
            cache.set(f"live-{n:03}", n, timeout=600)

        kept = cache.get_many([f"live-{n:03}" for n in range(200)])

    assert kept == {f"live-{n:03}": n for n in range(200)}, "a live counter was culled"
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM ratelimit_cache")
        assert cursor.fetchone()[0] == 200, "the expired counters were deleted"


def test_purge_expired_deletes_expired_counters(capsys):
    counters.set("spent", 1, timeout=60)
    counters.set("current", 1, timeout=3600)

    with time_machine.travel(time.time() + 120):
        call_command("purge_expired")

    assert "1 expired rate-limit counters" in capsys.readouterr().out
    assert counters.get("current") == 1
