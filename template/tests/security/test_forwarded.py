"""Repeated X-Forwarded-For lines are marked before gunicorn joins them (gunicorn.conf.py)."""

from security.forwarded import LINES, mark_repeated_forwarded_for

ONE_LINE = [("HOST", "example.com"), ("X-FORWARDED-FOR", "198.51.100.7, 203.0.113.9")]


def test_one_line_is_left_as_it_came():
    assert mark_repeated_forwarded_for(ONE_LINE) is ONE_LINE


def test_two_lines_are_kept_and_marked():
    headers = [*ONE_LINE, ("X-FORWARDED-FOR", "192.0.2.1")]

    marked = mark_repeated_forwarded_for(headers)

    assert marked == [*headers, (LINES, "2")]


def test_a_mark_sent_by_the_client_is_dropped():
    assert mark_repeated_forwarded_for([*ONE_LINE, (LINES, "1")]) == ONE_LINE
