"""The database connection as production uses it."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="TLS applies to PostgreSQL only; set DATABASE_URL to run it (README, 'Test it').",
)
def test_postgresql_connection_is_encrypted():
    with connection.cursor() as cursor:
        cursor.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        (encrypted,) = cursor.fetchone()

    assert encrypted is True


def test_shared_cache_round_trips_through_the_database():
    from django.core.cache import cache

    cache.set("parapet-test", "value", 30)

    assert cache.get("parapet-test") == "value"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only (see above).")
def test_postgresql_cancels_statements_that_run_too_long():
    from django.conf import settings

    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        (timeout,) = cursor.fetchone()

    assert timeout == f"{settings.DB_STATEMENT_TIMEOUT:g}s"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only (see above).")
def test_postgresql_connections_come_from_a_pool_of_db_pool_size():
    from django.conf import settings

    pool = connection.pool  # type: ignore[attr-defined]  # PostgreSQL's wrapper only

    assert pool is not None and pool.max_size == settings.DB_POOL_SIZE
