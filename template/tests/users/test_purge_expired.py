"""`manage.py purge_expired`, run daily by Heroku Scheduler, deletes what has expired."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

pytestmark = pytest.mark.django_db


def failure_record(ip: str) -> AccessAttempt:
    return AccessAttempt.objects.create(
        username="ada@example.com",
        ip_address=ip,
        user_agent="test",
        failures_since_start=1,
        get_data="",
        post_data="",
        http_accept="*/*",
        path_info="/accounts/login/",
    )


def session() -> str:
    store = SessionStore()
    store["seen"] = True
    store.create()
    return str(store.session_key)


def purge() -> str:
    out = StringIO()
    call_command("purge_expired", stdout=out)
    return out.getvalue()


def test_failure_records_older_than_the_cool_off_are_deleted():
    with time_machine.travel(timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1)):
        failure_record("192.0.2.1")
    current = failure_record("192.0.2.2")

    output = purge()

    assert list(AccessAttempt.objects.all()) == [current]
    assert "1 expired lockout records" in output


def test_expired_sessions_are_deleted_and_live_ones_kept():
    with time_machine.travel(timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)):
        expired = session()
    live = session()

    purge()

    assert set(Session.objects.values_list("session_key", flat=True)) == {live}
    assert expired != live


def test_sessions_page_rows_of_ended_sessions_are_deleted(user):
    from allauth.usersessions.models import UserSession

    live = session()
    for key in (live, "ended-session-key"):
        UserSession.objects.create(user=user, session_key=key, ip="192.0.2.1", user_agent="test")

    output = purge()

    assert list(UserSession.objects.values_list("session_key", flat=True)) == [live]
    assert "1 from the sessions page" in output
