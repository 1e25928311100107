"""Every answer set deploys clean: Heroku's deploy, simulated offline with real parts.

For the default answers and each other answer set once, `simulate_deploy` does what
Heroku does: a slug from `git archive` of the committed render, `uv sync --locked
--no-default-groups --compile-bytecode`, `collectstatic` with the config vars only (no
DATABASE_URL, no S3), then the Procfile's release command against PostgreSQL that
accepts TLS only. The Procfile's web process then runs with PORT and WEB_CONCURRENCY
behind nginx playing Heroku's router (TLS from a throwaway local CA, X-Forwarded-*,
X-Request-Id), and is probed as the router's clients would probe it. The real Heroku
router and build system are out of reach here; nginx and the steps above stand in for
them. Grades, scores and timings are printed in the run's summary ("reports").

What lives where:

- conftest.py: the fixtures: `deployments` (each answer set deployed once per run),
  `site` (each answer set's web dyno behind the router, one at a time), `media_site`
  (the default answers with a bucket on moto's S3 API server) and `public_site` (the
  default deployment on ports 80 and 443, for the scanners);
- test_build_release.py: the slug, the build and the release phase;
- test_web.py: the web dyno, probed through the router (HTTPS, headers, hosts, static
  files, admin, cookies, lockout, request ids, SIGTERM);
- test_media.py: private media on S3, uploaded and downloaded through the router;
- test_scanners.py: bandit on every render, MDN HTTP Observatory and DJ Checkup on the
  default render behind the router on ports 80 and 443;
- test_failures.py: the simulation fails a broken render, at the step that breaks.

The harness behind them: tests/support/heroku.py (the deploy, the dyno, the router)
and tests/support/deployments.py (Deployments, Site, config vars from app.json).
"""
