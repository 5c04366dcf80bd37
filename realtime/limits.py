"""Rate limiting: token buckets that slow a burst before they refuse."""

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


def take_all(buckets: list[TokenBucket], max_wait: float) -> float | None:
    """Spend one token from each bucket (a connection's, its person's): the
    longest wait, or None when any would exceed `max_wait`. A refusal by a
    later bucket leaves the earlier ones spent, which only slows the sender."""
    longest = 0.0
    for bucket in buckets:
        wait = bucket.take(max_wait)
        if wait is None:
            return None
        longest = max(longest, wait)
    return longest
