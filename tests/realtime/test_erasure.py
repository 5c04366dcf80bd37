"""Erasing a case while people have its documents open: they are told they
have no access, and nothing they send afterwards is stored."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Case, DocUpdate, Person
from portal.services import erasure

try:
    from collab_helpers import Editor, eventually, run
except ImportError:
    from tests.realtime.collab_helpers import Editor, eventually, run


def test_an_open_editor_of_an_erased_case_is_dropped_and_stores_nothing(
    seed, start_server, local_app: Flask
) -> None:
    server = start_server()

    async def scenario() -> None:
        parent = await Editor(server.url, seed.tokens["parent"]).connect()
        assert (await parent.join(seed.section_a))["access"] == "edit"
        assert (await parent.edit(lambda t: t.insert(0, "Before. ")))["ok"]

        case = db.session.get(Case, seed.case_id)
        caseworker = db.session.scalar(
            select(Person).where(Person.email.startswith("caseworker"))
        )
        assert case is not None and caseworker is not None
        erasure.erase_case(db.session, case, caseworker)
        db.session.commit()
        server.get(f"/_test/access-changed?case_id={seed.case_id}")
        await eventually(lambda: parent.access, what="access event")
        assert parent.access == [{"doc": seed.section_a, "access": "none"}]

        ack = await parent.edit(lambda t: t.insert(0, "After. "))
        assert ack["ok"] is False
        assert (await parent.join(seed.section_a))["ok"] is False
        rows = db.session.scalar(
            select(func.count()).where(DocUpdate.document_id == seed.section_a)
        )
        assert rows == 0
        await parent.close()

    run(scenario())
