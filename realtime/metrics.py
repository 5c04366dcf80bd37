"""What one process's real-time server is doing, as Prometheus metrics.

Each hub owns a registry of its own (not the library's global one), so
several apps in one process, as in the tests, never collide. Counters are
cheap enough for the keystroke path: an increment is a lock and an add.
Nothing here carries a person's name or a document's text; labels are only
the fixed refusal reasons below.
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)

# Milliseconds matter here: a keystroke's acknowledgement is 5-50 ms.
LATENCY_BUCKETS = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.02,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    15.0,
)

# Why an event was refused; `error` is a failure of ours (logged).
REASONS = (
    "too_fast",
    "read_only",
    "document_full",
    "bad_message",  # malformed, or a document not found or not shared
    "not_joined",
    "not_saved",
    "refused",
    "error",
)


class Metrics:
    """The instruments of one hub."""

    def __init__(self, rooms: Callable[[], int], connections: Callable[[], int]):
        self.registry = CollectorRegistry(auto_describe=True)
        ProcessCollector(registry=self.registry)
        Gauge(
            "ehcp_rooms", "Documents open in this process.", registry=self.registry
        ).set_function(rooms)
        Gauge(
            "ehcp_connections",
            "Socket.IO connections to /collab in this process.",
            registry=self.registry,
        ).set_function(connections)
        self.updates = Counter(
            "ehcp_updates_stored",
            "Document updates committed to the log and acknowledged.",
            registry=self.registry,
        )
        self.batches = Histogram(
            "ehcp_commit_seconds",
            "Time to commit one batch of updates to the database.",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.acks = Histogram(
            "ehcp_ack_seconds",
            "Time from receiving an update to acknowledging it (stored and relayed).",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.refusals = Counter(
            "ehcp_refusals",
            "Events refused, by reason.",
            ["reason"],
            registry=self.registry,
        )
        for reason in REASONS:  # present at zero, so a rate() has a series
            self.refusals.labels(reason=reason)

    def refused(self, reason: str) -> None:
        """Count one refusal; an unknown reason counts as `refused`."""
        self.refusals.labels(reason=reason if reason in REASONS else "refused").inc()

    def exposition(self) -> bytes:
        """The text format Prometheus scrapes."""
        return generate_latest(self.registry)
