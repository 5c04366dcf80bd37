"""Background threads of the hub, started on first use and again if they die."""

from __future__ import annotations

import threading
from collections.abc import Callable


class Worker:
    """One daemon thread running `target` (a loop that never returns)."""

    def __init__(self, target: Callable[[], None], name: str) -> None:
        self.target = target
        self.name = name
        self._alive = False
        self._lock = threading.Lock()

    def ensure_running(self) -> None:
        """Start the thread unless it is running: cheap enough to call per event.

        A flag the thread clears as it ends, not `Thread.is_alive()`: under
        gevent that tries a lock without blocking, and a failed try yields to
        every other greenlet, so each keystroke waited a turn of the loop and
        the next ones queued on this lock behind it (bench/realtime.py).
        """
        if self._alive:
            return
        with self._lock:
            if not self._alive:
                self._alive = True
                thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                try:
                    thread.start()
                except BaseException:
                    self._alive = False
                    raise

    def _run(self) -> None:
        try:
            self.target()
        finally:
            self._alive = False
