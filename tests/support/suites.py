"""Renders' own test suites, run side by side: one render per core, never two in one.

A render's suite is a single process that keeps one core busy; the machine has more.
`SuiteRuns` starts every requested suite at once on a pool of threads (one per core),
runs the suites of the same render one after another (they share its directory), and
hands each test its own result. Which suites run, and what each test asserts, stays
exactly what the tests say; only the waiting overlaps.
"""

import os
import subprocess
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.renders import run

# Threads (each waits on one suite process); CI machines have 2 to 4 cores.
WORKERS = max(1, min(4, os.cpu_count() or 1))


@dataclass(frozen=True)
class Suite:
    """One run of a render's suite: its directory, pytest's arguments and variables."""

    project: Path
    args: tuple[str, ...] = ("-q",)
    env: tuple[tuple[str, str], ...] = ()


def run_suite(suite: Suite) -> subprocess.CompletedProcess[str]:
    return run([".venv/bin/pytest", *suite.args], cwd=suite.project, **dict(suite.env))


def run_in_order(suites: list[Suite]) -> dict[Suite, subprocess.CompletedProcess[str]]:
    return {suite: run_suite(suite) for suite in suites}


@dataclass
class SuiteRuns:
    """Each render's suites in one future; `result` waits for the one a test needs."""

    futures: dict[Suite, Future[dict[Suite, subprocess.CompletedProcess[str]]]]

    def result(self, suite: Suite) -> subprocess.CompletedProcess[str]:
        return self.futures[suite].result()[suite]


@contextmanager
def running_suites(suites: list[Suite]) -> Iterator[SuiteRuns]:
    """Start `suites` (in this order within each render); wait for all of them on exit."""
    by_project: dict[Path, list[Suite]] = {}
    for suite in suites:
        by_project.setdefault(suite.project, []).append(suite)
    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="suite") as pool:
        futures = {}
        for chain in by_project.values():
            future = pool.submit(run_in_order, chain)
            futures.update(dict.fromkeys(chain, future))
        yield SuiteRuns(futures)
