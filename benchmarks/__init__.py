"""Benchmarks of a rendered project: `uvx nox -s bench` runs `python -m benchmarks`.

They report numbers (render time, time to green, memory, throughput, Argon2 cost) and
assert none; docs/performance.md keeps the latest table. The harness they share with
the tests (rendering, slugs, the web dyno) lives in tests/support/.
"""
