"""Background threads of the hub, started on first use and again if they die."""

from __future__ import annotations

import threading
from collections.abc import Callable


class Worker:
    """One daemon thread running `target` (a loop that never returns)."""

    def __init__(self, target: Callable[[], None], name: str) -> None:
        self.target = target
        self.name = name
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def ensure_running(self) -> None:
        """Start the thread unless it is alive: cheap enough to call per event."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self.target, name=self.name, daemon=True
                )
                self._thread.start()
