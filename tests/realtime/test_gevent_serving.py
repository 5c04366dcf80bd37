"""Serving on gevent: what keeps every keystroke off the back of the queue.

Each check runs a short script in its own process patched for gevent, as
`python -m portal.serve` is; the test process itself stays unpatched.
"""

from __future__ import annotations

import time

from realtime.workers import Worker
from tests import services

try:
    from collab_helpers import run_patched
except ImportError:
    from tests.realtime.collab_helpers import run_patched


def test_checking_the_committer_runs_does_not_give_way_to_other_greenlets() -> None:
    # Every update handler checks the committer is running. When that check
    # yielded, each keystroke waited a whole turn of the loop behind every
    # other connection, and the next handlers queued on its lock.
    result = run_patched("""
        import json, gevent
        from realtime.workers import Worker

        worker = Worker(lambda: gevent.sleep(30), "committer")
        worker.ensure_running()
        gevent.sleep(0.05)
        others = []
        gevent.spawn(others.append, "ran")
        for _ in range(100):
            worker.ensure_running()
        before = len(others)
        gevent.sleep(0.05)
        print(json.dumps({"before": before, "after": len(others)}))
    """)
    assert result == {"before": 0, "after": 1}


def test_a_worker_that_ended_is_started_again() -> None:
    runs: list[int] = []
    worker = Worker(lambda: runs.append(1), "short-lived")
    worker.ensure_running()
    deadline = time.monotonic() + 5
    while worker._alive and time.monotonic() < deadline:  # noqa: SLF001
        time.sleep(0.01)
    worker.ensure_running()
    while len(runs) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert runs == [1, 1]


def test_postgresql_waits_let_other_greenlets_run_and_still_answer() -> None:
    url = services.postgres_url()
    result = run_patched(
        """
        import json, sys, gevent, psycopg
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url
        import portal.extensions  # registers the connect hooks, as the app does

        url = make_url(sys.argv[1]).set(drivername="postgresql+psycopg")
        engine = create_engine(url)
        ticks = []

        def tick():
            while True:
                ticks.append(1)
                gevent.sleep(0.01)

        ticker = gevent.spawn(tick)
        with engine.connect() as conn:
            raw = conn.connection.driver_connection
            gevent.sleep(0)
            before = len(ticks)
            conn.execute(text("SELECT pg_sleep(0.3)"))
            ticked = len(ticks) - before
            two = conn.execute(text("SELECT 1 + 1")).scalar()
            try:
                conn.execute(text("SELECT 1 / 0"))
                error = None
            except Exception as exc:
                error = type(exc.orig).__name__
            conn.rollback()
            with raw.pipeline(), raw.cursor() as cur:
                cur.execute("SELECT 40")
                cur.execute("SELECT 2")
                piped = cur.fetchone()[0]
        ticker.kill()
        print(json.dumps({
            "class": type(raw).__name__, "ticked": ticked, "two": two,
            "error": error, "piped": piped,
        }))
        """,
        url,
    )
    assert result["class"] == "GeventConnection"
    assert int(result["ticked"]) >= 10  # type: ignore[call-overload]
    assert result["two"] == 2
    assert result["error"] == "DivisionByZero"
    assert result["piped"] == 2
