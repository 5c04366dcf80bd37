"""Per-connection rate limiting: a token bucket refilled continuously."""

from __future__ import annotations

import threading
import time


class TokenBucket:
    """Allows `rate` events a second on average and bursts of up to `burst`."""

    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate = float(rate)
        self.capacity = float(burst if burst is not None else max(rate, 1))
        self.tokens = self.capacity
        self.stamp = time.monotonic()
        self._lock = threading.Lock()

    def take(self) -> bool:
        """Spend one token; False (and nothing spent) when the bucket is empty."""
        with self._lock:
            now = time.monotonic()
            self.tokens = min(
                self.capacity, self.tokens + (now - self.stamp) * self.rate
            )
            self.stamp = now
            if self.tokens < 1:
                return False
            self.tokens -= 1
            return True
