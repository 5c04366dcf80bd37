"""A parent reads the child's "All about me" live but cannot write to it."""

from __future__ import annotations

import asyncio

from flask import Flask
from pycrdt import Doc, Text

from auth.tokens import create_token
from portal.extensions import db
from portal.models import Document, Membership, Person

try:
    from collab_helpers import Editor, eventually, log_rows, run
except ImportError:
    from tests.realtime.collab_helpers import Editor, eventually, log_rows, run


def parents_words() -> bytes:
    ydoc: Doc = Doc()
    ydoc.get("content", type=Text).insert(0, "Written by a grown-up")
    return ydoc.get_update()


def add_child_with_all_about_me(case_id: int) -> tuple[int, str]:
    """The young person joins the case with their own page; (doc id, their token)."""
    child = Person(email="child@example.org", name="Sam")
    db.session.add(child)
    db.session.flush()
    membership = Membership(case_id=case_id, person_id=child.id, role="young_person")
    db.session.add(membership)
    db.session.flush()
    doc = Document(
        case_id=case_id,
        kind="advice",
        title="All about me",
        discipline="child_young_person",
        owner_membership_id=membership.id,
    )
    db.session.add(doc)
    db.session.flush()
    token = create_token(db.session, child, "tests")
    db.session.commit()
    return doc.id, token


def test_parent_reads_the_childs_page_live_and_its_writes_are_refused(
    seed, start_server, local_app: Flask
) -> None:
    doc_id, child_token = add_child_with_all_about_me(seed.case_id)
    server = start_server()

    async def scenario() -> None:
        child = await Editor(server.url, child_token).connect()
        assert (await child.join(doc_id))["access"] == "edit"
        assert (await child.edit(lambda t: t.insert(0, "I like trains.")))["ok"]

        parent = await Editor(server.url, seed.tokens["parent"]).connect()
        assert await parent.join(doc_id) == {"ok": True, "access": "read"}
        await eventually(lambda: "I like trains." in str(parent), what="parent reads")
        before, errors = log_rows(doc_id), len(parent.errors)
        parent.doc_id = doc_id
        for step2 in (False, True):
            ack = await parent.send_update(parents_words(), step2=step2)
            assert ack["ok"] is False
        await eventually(lambda: len(parent.errors) > errors, what="error event")
        await asyncio.sleep(0.3)
        assert log_rows(doc_id) == before
        assert "grown-up" not in str(child)

        professional = await Editor(server.url, seed.tokens["professional"]).connect()
        ack = await professional.join(doc_id)
        assert ack["ok"] is False and "not shared" in ack["error"]
        for editor in (child, parent, professional):
            await editor.close()

    run(scenario())
