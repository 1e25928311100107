"""`copier update` brings a security release into projects that already exist.

Independent of the tags this repository carries, the `releases` fixture builds a
temporary clone of this checkout with two tagged releases (tests/support/releases.py
says what each changes). Projects are rendered from v1.0.0, committed, edited the way
users edit them, and updated as users update: `copier update` with defaults, without
--trust.

What lives where:

- conftest.py: `releases`, the clone with both releases, built once per run;
- test_untouched.py: a project nobody edited updates clean and equals a fresh render;
- test_edited.py: a developer's settings, README section, app and .env survive;
- test_dependencies.py: a dependency added next to Django conflicts, and
  bin/resolve-dependencies resolves it;
- test_scheduled.py: the rendered template-update workflow's step, run as GitHub
  would run it.

The harness behind them: tests/support/releases.py.
"""
