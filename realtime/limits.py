"""Per-connection rate limiting: a token bucket that slows a burst before it refuses."""

from __future__ import annotations

import threading
import time


class TokenBucket:
    """Allows `rate` events a second on average and bursts of up to `burst`.

    `take` does not refuse as soon as the bucket is empty: it tells the
    caller how long to wait for its turn, so a burst is spread out (the
    sender's next messages queue behind the wait), and refuses only when
    the wait would exceed `max_wait`.
    """

    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate = float(rate)
        self.capacity = float(burst if burst is not None else max(rate, 1))
        self.tokens = self.capacity
        self.stamp = time.monotonic()
        self._lock = threading.Lock()

    def take(self, max_wait: float = 0.0) -> float | None:
        """Spend one token: seconds to wait before going on, or None (refused,
        nothing spent) when that would be longer than `max_wait`."""
        with self._lock:
            now = time.monotonic()
            self.tokens = min(
                self.capacity, self.tokens + (now - self.stamp) * self.rate
            )
            self.stamp = now
            wait = 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate
            if wait > max_wait:
                return None
            self.tokens -= 1
            return wait
