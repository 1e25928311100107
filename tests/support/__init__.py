"""The harness the tests call: one copy of each helper, no fixtures, no tests.

Fixtures live in the conftest.py files and call into these modules; test modules
import what they need from here, never from a conftest.

- renders.py: ROOT, ANSWER_SETS, child_env and run (commands in a render), copies of
  this checkout, Renders (each answer set rendered and synced once per run);
- ports.py: free_port, wait_for_port and wait_for_page, for every server the tests start;
- git.py: the one test identity, git, commit_all and committed_copy;
- lock.py: relocking the template's uv.lock.jinja (`nox -s lock` and the update tests);
- postgres_tls.py: a throwaway PostgreSQL that accepts TLS only, as Heroku Postgres;
- s3.py: moto's S3 API server on loopback;
- heroku.py: Heroku without Heroku: simulate_deploy, running_web, running_router;
- deployments.py: answer sets deployed once per run (Deployments) and requests through
  the router (Site), for tests/deploy/;
- browser.py: the default render served for Chromium (an admin enrolled in TOTP);
- releases.py: a clone of this checkout with two tagged releases, and copier update,
  for tests/update/;
- scanners.py and observatory_scan.mjs: scanners no one here wrote (MDN HTTP
  Observatory, DJ Checkup, bandit), installed from their registries;
- drift.py: what a render's code reads, compared with what the docs say;
- suites.py: renders' own test suites, run side by side (one render per core);
- types.py: mypy over a render (the template's plain Python type-checked in place).
"""
