"""Connections: who each Socket.IO connection is, what let it in, its limits.

Updates are limited per connection and per person: one bucket shared by
all of a person's connections in this process, so ten tabs do not get ten
times the rate.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from realtime.limits import TokenBucket


@dataclass(frozen=True)
class Credential:
    """Who a connection is and what let it in: a browser sign-in or a token."""

    person_id: int
    sign_in_id: int | None = None
    token_id: int | None = None


@dataclass
class Connection:
    """One Socket.IO connection: who it is and its limits."""

    sid: str
    credential: Credential  # checked again every few seconds
    updates: TokenBucket
    awareness: TokenBucket
    person_updates: TokenBucket | None = None  # shared; set by `Connections.add`
    wrote: bool = False  # a change was accepted since the last check (not idle)

    @property
    def person_id(self) -> int:
        """The person behind the connection."""
        return self.credential.person_id


class Connections:
    """The open connections of this process, by sid."""

    def __init__(self, person_rate: float = 50) -> None:
        self._by_sid: dict[str, Connection] = {}
        self._person_rate = person_rate
        # Per person: the bucket their connections share, and how many hold it.
        self._people: dict[int, tuple[TokenBucket, int]] = {}
        self._lock = threading.Lock()

    def add(self, conn: Connection) -> None:
        """Remember a new connection and give it its person's shared bucket."""
        with self._lock:
            if conn.sid in self._by_sid:
                return
            bucket, count = self._people.get(
                conn.person_id, (TokenBucket(self._person_rate), 0)
            )
            self._people[conn.person_id] = (bucket, count + 1)
            conn.person_updates = bucket
            self._by_sid[conn.sid] = conn

    def pop(self, sid: str) -> Connection | None:
        """Forget a connection; returns it if it was known."""
        with self._lock:
            conn = self._by_sid.pop(sid, None)
            if conn is not None:
                bucket, count = self._people[conn.person_id]
                if count > 1:
                    self._people[conn.person_id] = (bucket, count - 1)
                else:
                    del self._people[conn.person_id]
            return conn

    def get(self, sid: str) -> Connection | None:
        """The connection of a sid, if still open."""
        with self._lock:
            return self._by_sid.get(sid)

    def all(self) -> list[Connection]:
        """Every open connection."""
        with self._lock:
            return list(self._by_sid.values())
