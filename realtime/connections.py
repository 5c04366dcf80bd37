"""Connections: who each Socket.IO connection is, what let it in, its limits."""

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
    wrote: bool = False  # a change was accepted since the last check (not idle)

    @property
    def person_id(self) -> int:
        """The person behind the connection."""
        return self.credential.person_id


class Connections:
    """The open connections of this process, by sid."""

    def __init__(self) -> None:
        self._by_sid: dict[str, Connection] = {}
        self._lock = threading.Lock()

    def add(self, conn: Connection) -> None:
        """Remember a new connection."""
        with self._lock:
            self._by_sid[conn.sid] = conn

    def pop(self, sid: str) -> Connection | None:
        """Forget a connection; returns it if it was known."""
        with self._lock:
            return self._by_sid.pop(sid, None)

    def get(self, sid: str) -> Connection | None:
        """The connection of a sid, if still open."""
        with self._lock:
            return self._by_sid.get(sid)

    def all(self) -> list[Connection]:
        """Every open connection."""
        with self._lock:
            return list(self._by_sid.values())
