"""The cache that keeps rate-limit counters: entries leave when they expire, never earlier.

    from security.cache import counters   # like django.core.cache.cache, for CACHES["ratelimit"]

Django's database cache culls once its table holds MAX_ENTRIES rows (300 by default):
it deletes the expired rows and then a third of the live ones, or every row with
CULL_FREQUENCY=0. A rate limit whose counter is culled starts again from zero, so a
flood of other entries (other clients' counters, anything else cached) would reset
exactly the limits that hold the flood back. Counters therefore live in a table of
their own (CACHES["ratelimit"], the `ratelimit_cache` table) whose backend,
`CounterCache`, only ever deletes expired rows: past MAX_ENTRIES it deletes the expired
ones on each write, and `manage.py purge_expired` deletes the rest daily. The table
holds at most one row per client and limit for the length of a window.

Everything that counts requests to limit them uses this cache: the CSP report
endpoint (security.csp_reports), the REST API's throttles, and allauth's rate limits.
"""

from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router
from django.utils import timezone
from django.utils.connection import ConnectionProxy

# The alias in settings.CACHES; other settings (a library's rate-limit cache) name it.
RATE_LIMIT_CACHE = "ratelimit"

# The counters' cache, per thread, as django.core.cache.cache is the default one.
counters = ConnectionProxy(caches, RATE_LIMIT_CACHE)


class CounterCache(DatabaseCache):
    """A database cache that never culls a live entry."""

    def _cull(self, db: str, cursor: object, now: object, num: int) -> None:
        """Past MAX_ENTRIES: delete the expired rows only (Django's also deletes live ones)."""
        self.delete_expired()

    def delete_expired(self) -> int:
        """Delete every expired row; return how many there were."""
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)  # type: ignore[attr-defined]  # set by DatabaseCache
        expires = connection.ops.quote_name("expires")
        now = connection.ops.adapt_datetimefield_value(timezone.now().replace(microsecond=0))
        with connection.cursor() as cursor:
            # The table's name comes from settings, quoted by the backend; the time is a parameter.
            sql = f"DELETE FROM {table} WHERE {expires} < %s"  # noqa: S608  # nosec B608: quoted name
            cursor.execute(sql, [now])
            return int(cursor.rowcount)
