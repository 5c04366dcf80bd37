"""Who is in which room: admitting a joiner, and keeping every member's
access in step with the database.

Access is decided by `auth.policy` through `auth.access`; this module only
reads it and tells rooms. A change announced on a case (a member removed,
the draft shared, advice submitted) is re-read for every member of the
case's open rooms; a joiner that read its access while such a change was
being announced reads it again (`Rooms.generation`), so no removal is
missed. The periodic check re-reads every room, in case an announcement
from another process was lost.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from auth.access import access_map
from auth.policy import Access
from portal.extensions import db
from portal.models import Document
from realtime.connections import Connections
from realtime.protocol import BadMessage
from realtime.room import Room
from realtime.rooms import Rooms

NO_DOCUMENT = "We could not find that document, or it is not shared with you."
ADMIT_ATTEMPTS = 5
# Tell a member its access changed: (sid, room, new access, awareness clocks
# of a member just removed).
Tell = Callable[[str, Room, Access, dict[int, int]], None]


class Admission:
    """Admits joiners and applies access changes to the rooms of this process."""

    def __init__(self, rooms: Rooms, connections: Connections, tell: Tell) -> None:
        self.rooms = rooms
        self.connections = connections
        self.tell = tell

    def admit(self, sid: str, person_id: int, doc_id: int) -> tuple[Room, Access]:
        """Put a connection in a document's room with the access it has now."""
        for _attempt in range(ADMIT_ATTEMPTS):
            case_id = db.session.scalar(
                select(Document.case_id).where(Document.id == doc_id)
            )
            db.session.rollback()  # the access read below sees later commits
            if case_id is None:
                raise BadMessage(NO_DOCUMENT)
            generation = self.rooms.generation(case_id)
            level = access_map(db.session, {(doc_id, person_id)})[(doc_id, person_id)]
            db.session.rollback()
            if level == Access.NONE:
                raise BadMessage(NO_DOCUMENT)
            room = self.rooms.enter(doc_id, case_id, sid, level, generation)
            if room is not None:
                return room, level
        raise BadMessage("Access to this document is changing; try again shortly.")

    def changed(self, case_id: int, doc_id: int | None = None) -> None:
        """A change of access on a case was committed: re-read its rooms."""
        rooms = self.rooms.bump(case_id)
        self._recheck([r for r in rooms if doc_id is None or r.doc_id == doc_id])

    def recheck_all(self) -> None:
        """Re-read the access of every member of every open room."""
        self._recheck(self.rooms.all())

    def _recheck(self, rooms: list[Room]) -> None:
        members = [
            (room, sid, old) for room in rooms for sid, old in room.members().items()
        ]
        people = {sid: self._person(sid) for _, sid, _ in members}
        levels = access_map(
            db.session,
            {(room.doc_id, p) for room, sid, _ in members if (p := people[sid])},
        )
        db.session.rollback()
        for room, sid, old in members:
            person_id = people[sid]
            new = (
                levels.get((room.doc_id, person_id), Access.NONE)
                if person_id
                else Access.NONE
            )
            if new == old:
                continue
            clocks = self.rooms.set_access(room, sid, new)
            if clocks is not None:  # still there: tell it
                self.tell(sid, room, new, clocks)

    def _person(self, sid: str) -> int | None:
        conn = self.connections.get(sid)
        return conn.person_id if conn else None
