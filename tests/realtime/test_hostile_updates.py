"""Updates that crashed the CRDT library are refused, and stored ones set aside.

The inputs are the ones hands-on testing found (see shared notes, "Hostile
updates"): a delete range of 2^53 for an unknown client followed by an item
at clock 2^32-2 (a panic, then a segfault on every load), an Any value
nested 40,000 levels deep (a native stack overflow), and one nested 15,000
deep (stored, then no browser could open the document). The fuzz corpus in
tests/fuzz/ holds more.
"""

from __future__ import annotations

import urllib.request

from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, Case, DocUpdate
from tests.doclog import yencode as y

try:
    from collab_helpers import Editor, eventually, log_rows, run, stored_text
except ImportError:
    from tests.realtime.collab_helpers import (
        Editor,
        eventually,
        log_rows,
        run,
        stored_text,
    )

STRANGER = 987_654_321  # a client id no document has seen


def huge_delete() -> bytes:
    return y.update([], {STRANGER: [(0, 2**53)]})


def item_near_the_clock_limit() -> bytes:
    return y.update([(STRANGER, 2**32 - 2, [y.item(y.string("x"), parent="content")])])


def nested(depth: int) -> bytes:
    value = y.raw_any(1, y.deep_any(depth))
    return y.update([(STRANGER, 0, [y.item(value, parent="m", sub="k")])])


HOSTILE = {
    "huge delete": huge_delete(),
    "item near the clock limit": item_near_the_clock_limit(),
    "nested 40,000 deep": nested(40_000),
    "nested 15,000 deep": nested(15_000),
}


def test_hostile_updates_are_refused_and_the_server_stays_up(
    seed, start_server, local_app: Flask
) -> None:
    server = start_server(MAX_UPDATE_BYTES=str(200_000))
    db.session.get(Case, seed.case_id).draft_shared = True  # the professional reads B
    db.session.commit()

    async def scenario() -> None:
        parent = await Editor(server.url, seed.tokens["parent"]).connect()
        reader = await Editor(server.url, seed.tokens["professional"]).connect()
        caseworker = await Editor(server.url, seed.tokens["caseworker"]).connect()
        await parent.join(seed.section_a)
        await reader.join(seed.section_b)
        await caseworker.join(seed.section_a)
        assert (await caseworker.edit(lambda t: t.insert(0, "Safe text. ")))["ok"]
        rows = log_rows(seed.section_a)

        for name, update in HOSTILE.items():
            reply = await parent.send_update(update)
            assert reply["ok"] is False, name
            # The checker's own sentence, not "The server could not handle…".
            assert reply["error"].startswith("That change"), (name, reply)
            # A read-only member's update is refused before it is decoded.
            refused = await reader.send_update(update)
            assert refused == {
                "ok": False,
                "error": "You can read this document but not edit it.",
            }, name

        assert server.proc is not None and server.proc.poll() is None
        assert log_rows(seed.section_a) == rows  # nothing hostile stored
        assert (await caseworker.edit(lambda t: t.insert(len(t), "Still here.")))["ok"]
        await eventually(lambda: "Still here." in str(parent), what="relay")
        for editor in (parent, reader, caseworker):
            await editor.close()

    run(scenario())
    assert stored_text(seed.section_a) == "Safe text. Still here."


def poison(doc_id: int, author_id: int) -> list[int]:
    """Store the hostile updates as an older server would have: unchecked."""
    top = db.session.scalar(
        select(DocUpdate.seq)
        .where(DocUpdate.document_id == doc_id)
        .order_by(DocUpdate.seq.desc())
    )
    rows = [
        DocUpdate(
            document_id=doc_id, seq=(top or 0) + i, data=data, author_id=author_id
        )
        for i, data in enumerate(HOSTILE.values(), start=1)
    ]
    db.session.add_all(rows)
    db.session.commit()
    return [r.id for r in rows]


def test_stored_poison_is_set_aside_and_everything_still_opens(
    seed, start_server, local_app: Flask, browser_cookie
) -> None:
    server = start_server()

    async def write_good_text() -> None:
        editor = await Editor(server.url, seed.tokens["caseworker"]).connect()
        await editor.join(seed.section_a)
        assert (await editor.edit(lambda t: t.insert(0, "Good text.")))["ok"]
        await editor.close()

    run(write_good_text())
    server.kill()
    poisoned = poison(seed.section_a, seed.people["parent"])
    server.start()

    async def open_again() -> None:
        editor = await Editor(server.url, seed.tokens["caseworker"]).connect()
        assert (await editor.join(seed.section_a))["ok"]
        assert str(editor) == "Good text."
        assert (await editor.edit(lambda t: t.insert(len(t), " More.")))["ok"]
        await editor.close()

    run(open_again())
    request = urllib.request.Request(
        f"{server.url}/cases/{seed.case_id}",
        headers=browser_cookie(seed.people["caseworker"]),
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        page = response.read().decode()
    assert "could not be applied and were set aside" in page
    assert server.proc is not None and server.proc.poll() is None

    db.session.remove()
    set_aside = db.session.scalars(
        select(DocUpdate.id).where(DocUpdate.quarantined_at.is_not(None))
    ).all()
    assert sorted(set_aside) == sorted(poisoned)  # kept, flagged, not deleted
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "document.changes_set_aside")
    ).all()
    assert events and events[0].case_id == seed.case_id
    assert stored_text(seed.section_a) == "Good text. More."


def test_updates_that_only_an_index_can_judge_are_refused_in_a_room(
    seed, start_server, local_app: Flask
) -> None:
    """Each is harmless alone and harmful after an earlier update, so the room
    keeps an index of its items: a child of a text run (pycrdt fails part way
    through it) and a delete of half an emoji (the stored copy drifts)."""
    server = start_server()
    client, other = 424_242, 434_343
    text = y.update([(client, 0, [y.item(y.string("😀abc"), parent="content")])])
    child_of_text = y.update([(other, 0, [y.item(y.string("x"), parent=(client, 3))])])
    half_an_emoji = y.update([], {client: [(0, 1)]})

    async def scenario() -> None:
        editor = await Editor(server.url, seed.tokens["caseworker"]).connect()
        await editor.join(seed.section_a)
        assert (await editor.send_update(text)) == {"ok": True}
        for update in (child_of_text, half_an_emoji):
            reply = await editor.send_update(update)
            assert reply["ok"] is False and reply["error"].startswith("That change")
        await editor.close()

    run(scenario())
    assert stored_text(seed.section_a) == "😀abc"
    db.session.remove()
    assert not db.session.scalars(
        select(DocUpdate.id).where(DocUpdate.quarantined_at.is_not(None))
    ).all()
