"""A client that reads only through the editing socket (a stock Yjs client
with a token) has its first read of the case recorded, once."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent

try:
    from collab_helpers import Editor, run
except ImportError:
    from tests.realtime.collab_helpers import Editor, run


def test_joining_a_document_is_a_first_read_recorded_once(
    seed, start_server, local_app: Flask
) -> None:
    server = start_server()

    async def scenario() -> None:
        parent = await Editor(server.url, seed.tokens["parent"]).connect()
        for _ in range(2):
            assert (await parent.join(seed.section_a))["access"] == "edit"
            await parent.call("leave", {"doc": seed.section_a})
        await parent.close()

    run(scenario())
    db.session.rollback()
    reads = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.case_id == seed.case_id, AuditEvent.action == "case.first_read"
        )
    ).all()
    assert [e.actor.email for e in reads if e.actor] == ["parent@example.org"]
