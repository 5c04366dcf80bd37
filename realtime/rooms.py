"""The open rooms of this process: created on join, dropped when empty
(pycrdt-websocket's `websocket_server.py` `get_room`/`delete_room`)."""

from __future__ import annotations

import threading

from auth.policy import Access
from realtime.room import Room, Roster


class Rooms:
    """The open rooms of this process, created on join and dropped when empty.

    Access changes are numbered per case (`bump`): a joiner reads the number
    before it reads its access from the database and is admitted only if no
    change was announced meanwhile, so a removal committed while it read
    cannot be missed (it reads again instead).
    """

    def __init__(self, roster: Roster) -> None:
        self._roster = roster
        self._rooms: dict[int, Room] = {}
        self._generations: dict[int, int] = {}
        self._lock = threading.Lock()

    def generation(self, case_id: int) -> int:
        """How many access changes of a case this process has heard of."""
        with self._lock:
            return self._generations.get(case_id, 0)

    def bump(self, case_id: int) -> list[Room]:
        """Announce an access change on a case; returns its open rooms."""
        with self._lock:
            self._generations[case_id] = self._generations.get(case_id, 0) + 1
            return [r for r in self._rooms.values() if r.case_id == case_id]

    def enter(
        self, doc_id: int, case_id: int, sid: str, access: Access, generation: int
    ) -> Room | None:
        """Admit a client with the access it read at `generation`, or None
        when the case's access changed since (read it again)."""
        with self._lock:
            if self._generations.get(case_id, 0) != generation:
                return None
            room = self._rooms.get(doc_id)
            if room is None:
                room = self._rooms[doc_id] = Room(doc_id, case_id, self._roster)
            room._admit(sid, access)
            return room

    def set_access(self, room: Room, sid: str, access: Access) -> dict[int, int] | None:
        """Change a member's access (NONE removes it); None if it had left,
        else the awareness clocks of a member now removed."""
        with self._lock:
            clocks = room._set_access(sid, access)
            self._drop_if_empty(room)
            return clocks

    def exit(self, doc_id: int, sid: str) -> tuple[Room | None, dict[int, int]]:
        """Take a client out; returns the room and the client's awareness clocks."""
        with self._lock:
            room = self._rooms.get(doc_id)
            if room is None:
                return None, {}
            clocks = room._remove(sid)
            self._drop_if_empty(room)
            return room, clocks

    def _drop_if_empty(self, room: Room) -> None:
        if room.is_empty and self._rooms.get(room.doc_id) is room:
            del self._rooms[room.doc_id]

    def get(self, doc_id: int) -> Room | None:
        """The open room of a document, if any."""
        with self._lock:
            return self._rooms.get(doc_id)

    def all(self) -> list[Room]:
        """Every open room."""
        with self._lock:
            return list(self._rooms.values())

    def of_member(self, sid: str) -> list[Room]:
        """The rooms a connection is in."""
        return [r for r in self.all() if r.access_of(sid) != Access.NONE]

    def __len__(self) -> int:
        with self._lock:
            return len(self._rooms)
