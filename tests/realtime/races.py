"""Races between joining, leaving and access changes, made to happen.

Each race pauses one side right after it has read access from the database
(the gap where the old code lost a removal) while the other side acts, then
lets it go on, and checks the invariant a user relies on: a removed person
is in no room and hears no relay, and a room whose last member left is
freed. `run_races` is called by `test_races.py` on threads, and in a process
patched for gevent (greenlets).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Flask

from auth.policy import Access
from portal.app import create_app
from portal.config import Settings
from portal.extensions import db
from portal.models import Case, Document, Membership, Person
from realtime import admission as admission_module
from realtime.admission import Admission
from realtime.connections import Connection, Connections, Credential
from realtime.limits import TokenBucket
from realtime.protocol import BadMessage
from realtime.rooms import Rooms
from tests.quiet_limits import HIGH_RATE_LIMITS


class RecordingRoster:
    """Test double of Socket.IO's room registry: who would hear relays."""

    def __init__(self) -> None:
        self.rooms: dict[str, set[str]] = {}

    def enter(self, sid: str, name: str) -> None:
        self.rooms.setdefault(name, set()).add(sid)

    def leave(self, sid: str, name: str) -> None:
        self.rooms.get(name, set()).discard(sid)

    def hears(self, sid: str) -> bool:
        return any(sid in sids for sids in self.rooms.values())


class Gate:
    """Pauses the first access read of a marked thread until released."""

    def __init__(self) -> None:
        self.local = threading.local()
        self.reached = threading.Event()
        self.release = threading.Event()

    def wrap(self, real: Callable[..., Any]) -> Callable[..., Any]:
        def access_map(*args: Any) -> Any:
            result = real(*args)
            if getattr(self.local, "pause", False):
                self.local.pause = False
                self.reached.set()
                self.release.wait(10)
            return result

        return access_map

    def run_paused(self, app: Flask, action: Callable[[], None]) -> threading.Thread:
        def target() -> None:
            with app.app_context():
                self.local.pause = True
                try:
                    action()
                finally:
                    db.session.remove()

        thread = threading.Thread(target=target)
        thread.start()
        if not self.reached.wait(10):
            raise RuntimeError("the paused side never read its access")
        return thread


def seed(app: Flask) -> dict[str, int]:
    """A case with a parent and a professional, section A and a shared section B."""
    with app.app_context():
        db.create_all()
        parent = Person(email="p@example.org", name="Parent")
        pro = Person(email="x@example.org", name="Pro")
        case = Case(child_name="Sam", request_date=date(2025, 1, 6), draft_shared=True)
        db.session.add_all([parent, pro, case])
        db.session.flush()
        mp = Membership(case_id=case.id, person_id=parent.id, role="parent")
        mx = Membership(case_id=case.id, person_id=pro.id, role="professional")
        a = Document(case_id=case.id, kind="plan_section", section="A", title="A")
        b = Document(case_id=case.id, kind="plan_section", section="B", title="B")
        db.session.add_all([mp, mx, a, b])
        db.session.commit()
        return {
            "case": case.id,
            "parent": parent.id,
            "pro": pro.id,
            "pro_membership": mx.id,
            "a": a.id,
            "b": b.id,
        }


def removal_during_join(app: Flask, ids: dict[str, int]) -> bool:
    """The parent joins A while being removed from the case: never left in."""
    roster = RecordingRoster()
    rooms, conns = Rooms(roster), Connections()
    conns.add(
        Connection("s1", Credential(ids["parent"]), TokenBucket(9), TokenBucket(9))
    )
    admission = Admission(rooms, conns, lambda *_: None)
    gate = Gate()
    admission_module.access_map = gate.wrap(REAL_ACCESS_MAP)  # type: ignore[attr-defined]

    def join() -> None:
        try:
            admission.admit("s1", ids["parent"], ids["a"])
        except BadMessage:
            pass

    thread = gate.run_paused(app, join)
    with app.app_context():
        membership = db.session.scalars(
            db.select(Membership).where(Membership.person_id == ids["parent"])
        ).one()
        db.session.delete(membership)
        db.session.commit()
        admission.changed(ids["case"])
        gate.release.set()
        thread.join(10)
        db.session.add(
            Membership(case_id=ids["case"], person_id=ids["parent"], role="parent")
        )
        db.session.commit()
        db.session.remove()
    room = rooms.get(ids["a"])
    left_in = room is not None and room.access_of("s1") != Access.NONE
    return not left_in and not roster.hears("s1")


def leave_during_refresh(app: Flask, ids: dict[str, int]) -> bool:
    """The professional leaves B while its access is being changed: freed."""
    roster = RecordingRoster()
    rooms, conns = Rooms(roster), Connections()
    conns.add(Connection("s2", Credential(ids["pro"]), TokenBucket(9), TokenBucket(9)))
    admission = Admission(rooms, conns, lambda *_: None)
    admission_module.access_map = REAL_ACCESS_MAP  # type: ignore[attr-defined]
    with app.app_context():
        admission.admit("s2", ids["pro"], ids["b"])
        membership = db.session.get(Membership, ids["pro_membership"])
        assert membership is not None
        membership.role = "parent"  # comment instead of read on a shared section
        db.session.commit()
        db.session.remove()
    gate = Gate()
    admission_module.access_map = gate.wrap(REAL_ACCESS_MAP)  # type: ignore[attr-defined]
    thread = gate.run_paused(app, lambda: admission.changed(ids["case"]))
    rooms.exit(ids["b"], "s2")
    gate.release.set()
    thread.join(10)
    with app.app_context():
        membership = db.session.get(Membership, ids["pro_membership"])
        assert membership is not None
        membership.role = "professional"
        db.session.commit()
        db.session.remove()
    return rooms.get(ids["b"]) is None and not roster.hears("s2")


REAL_ACCESS_MAP = admission_module.access_map


def run_races(db_path: str, rounds: int) -> dict[str, int]:
    """Run both races `rounds` times; how often each invariant held."""
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
            "SETTINGS": Settings.from_env({"SECRET_KEY": "races", **HIGH_RATE_LIMITS}),
        }
    )
    ids = seed(app)
    held = {"removal_during_join": 0, "leave_during_refresh": 0}
    try:
        for _ in range(rounds):
            held["removal_during_join"] += removal_during_join(app, ids)
            held["leave_during_refresh"] += leave_during_refresh(app, ids)
    finally:
        admission_module.access_map = REAL_ACCESS_MAP  # type: ignore[attr-defined]
    return held
