"""Run CPU-bound work with a time limit, so one request cannot hold the process.

The work runs in a real operating-system thread: under gevent (`portal.serve`)
a greenlet doing pure-Python work never yields, so a `gevent.Timeout` could
not interrupt it; gevent's own thread pool gives a thread the hub can wait on.
A thread cannot be killed, so work that overruns finishes in the background;
the pool is small, so a flood of slow requests queues and times out instead
of taking every core.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

from portal.serve import patched_for_gevent

T = TypeVar("T")
WORKERS = 4

_executor: ThreadPoolExecutor | None = None
_gevent_pool: Any = None


class TimeLimitExceeded(Exception):
    """The work did not finish within its limit."""


def run_with_time_limit(work: Callable[[], T], seconds: float) -> T:
    """`work()`, or TimeLimitExceeded once `seconds` have passed."""
    if patched_for_gevent():
        return _run_in_gevent_pool(work, seconds)
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(WORKERS, thread_name_prefix="time-limited")
    future = _executor.submit(work)
    try:
        return future.result(timeout=seconds)
    except FutureTimeout:
        future.cancel()  # still queued: never starts
        raise TimeLimitExceeded from None


def _run_in_gevent_pool(work: Callable[[], T], seconds: float) -> T:
    import gevent
    from gevent.threadpool import ThreadPool

    global _gevent_pool
    if _gevent_pool is None:
        _gevent_pool = ThreadPool(WORKERS)
    result = _gevent_pool.spawn(work)
    try:
        value: T = result.get(timeout=seconds)
    except gevent.Timeout:
        raise TimeLimitExceeded from None
    return value
