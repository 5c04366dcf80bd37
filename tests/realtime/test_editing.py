"""Two editors converge, offline edits merge, acknowledged edits survive SIGKILL."""

from __future__ import annotations

import asyncio
import random

from flask import Flask
from sqlalchemy import func, select

from portal.doclog import reading
from portal.extensions import db
from portal.models import DocSnapshot, DocUpdate

try:
    from collab_helpers import Editor, eventually, run, stored_text
except ImportError:
    from tests.realtime.collab_helpers import Editor, eventually, run, stored_text


def test_editors_converge_on_concurrent_edits(
    seed, start_server, local_app: Flask
) -> None:
    server = start_server()

    async def scenario() -> None:
        alice = await Editor(server.url, seed.tokens["caseworker"]).connect()
        bob = await Editor(server.url, seed.tokens["parent"]).connect()
        assert await alice.join(seed.section_a) == {"ok": True, "access": "edit"}
        assert await bob.join(seed.section_a) == {"ok": True, "access": "edit"}

        async def type_words(editor: Editor, tag: str) -> None:
            for i in range(15):
                word = f"<{tag}{i}>"
                ack = await editor.edit(
                    lambda t, w=word: t.insert(random.choice([0, len(t)]), w)
                )
                assert ack == {"ok": True}

        await asyncio.gather(type_words(alice, "a"), type_words(bob, "b"))
        await eventually(lambda: str(alice) == str(bob), what="convergence")
        for tag in ("a", "b"):
            for i in range(15):
                assert f"<{tag}{i}>" in str(alice)
        assert stored_text(seed.section_a) == str(alice)
        await alice.close()
        await bob.close()

    run(scenario())


def test_offline_edits_merge_after_reconnect(
    seed, start_server, local_app: Flask
) -> None:
    server = start_server()

    async def scenario() -> None:
        alice = await Editor(server.url, seed.tokens["caseworker"]).connect()
        bob = await Editor(server.url, seed.tokens["parent"]).connect()
        await alice.join(seed.section_a)
        await bob.join(seed.section_a)
        assert (await alice.edit(lambda t: t.insert(0, "Sam likes trains. ")))["ok"]
        await eventually(lambda: "trains" in str(bob), what="first edit relayed")

        await bob.close()
        bob.edit_offline(lambda t: t.insert(len(t), "Offline note. "))
        assert (await alice.edit(lambda t: t.insert(0, "Online note. ")))["ok"]

        rejoined = Editor(server.url, seed.tokens["parent"])
        rejoined.ydoc, rejoined.text = bob.ydoc, bob.text
        await rejoined.connect()
        assert (await rejoined.join(seed.section_a))["ok"]
        await eventually(
            lambda: str(alice) == str(rejoined) and "Offline" in str(alice),
            what="offline edits merged",
        )
        assert "Online note." in str(rejoined)
        await eventually(
            lambda: "Offline note." in stored_text(seed.section_a),
            what="offline edit stored",
        )
        await alice.close()
        await rejoined.close()

    run(scenario())


def test_acknowledged_updates_survive_sigkill(
    seed, start_server, local_app: Flask
) -> None:
    server = start_server()

    async def edit_then_crash() -> list[str]:
        editor = await Editor(server.url, seed.tokens["caseworker"]).connect()
        await editor.join(seed.section_a)
        words = [f"w{i};" for i in range(40)]
        acks = await asyncio.gather(
            *(editor.edit(lambda t, w=w: t.insert(len(t), w)) for w in words)
        )
        assert all(a == {"ok": True} for a in acks)
        server.kill()  # SIGKILL: no shutdown hooks, no flush
        await editor.close()
        return words

    words = run(edit_then_crash())
    server.start()

    async def reopen() -> None:
        editor = await Editor(server.url, seed.tokens["parent"]).connect()
        await editor.join(seed.section_a)
        for w in words:
            assert w in str(editor)
        await editor.close()

    run(reopen())
    assert all(w in stored_text(seed.section_a) for w in words)


def test_compaction_under_concurrent_edits_loses_nothing(
    seed, start_server, local_app: Flask
) -> None:
    server = start_server(COMPACTION_THRESHOLD="10", UPDATES_PER_SECOND="1000")

    async def scenario() -> tuple[str, str]:
        alice = await Editor(server.url, seed.tokens["caseworker"]).connect()
        bob = await Editor(server.url, seed.tokens["parent"]).connect()
        await alice.join(seed.section_a)
        await bob.join(seed.section_a)

        async def burst(editor: Editor, tag: str) -> None:
            for i in range(60):
                ack = await editor.edit(lambda t, w=f"[{tag}{i}]": t.insert(len(t), w))
                assert ack == {"ok": True}

        await asyncio.gather(burst(alice, "a"), burst(bob, "b"))
        await eventually(lambda: str(alice) == str(bob), what="convergence")
        await alice.close()
        await bob.close()
        return str(alice), str(bob)

    text, _ = run(scenario())
    final = stored_text(seed.section_a)
    for tag in ("a", "b"):
        for i in range(60):
            assert f"[{tag}{i}]" in final
    assert final == text
    snapshot = db.session.scalar(
        select(DocSnapshot).where(DocSnapshot.document_id == seed.section_a)
    )
    rows = db.session.scalar(
        select(func.count())
        .select_from(DocUpdate)
        .where(DocUpdate.document_id == seed.section_a)
    )
    assert snapshot is not None and snapshot.upto_seq >= 10
    assert rows < 120
    # Compaction keeps each author's latest row, so "recent editors" survives it.
    editors = {p.id for p, _ in reading.recent_editors(db.session, seed.section_a)}
    assert editors == {seed.people["caseworker"], seed.people["parent"]}


def test_steady_editing_leaves_no_cyclic_garbage(
    seed, start_server, local_app: Flask
) -> None:
    """Under load, each cycle the collector frees stalls every room: a frame
    kept per keystroke once cost 100 ms pauses every few seconds."""
    server = start_server(UPDATES_PER_SECOND="1000")

    async def scenario() -> None:
        alice = await Editor(server.url, seed.tokens["caseworker"]).connect()
        bob = await Editor(server.url, seed.tokens["parent"]).connect()
        await alice.join(seed.section_a)
        await bob.join(seed.section_a)
        server.get("/_test/garbage?start=1")
        for i in range(100):
            assert await alice.edit(lambda t, i=i: t.insert(len(t), f"<{i}>")) == {
                "ok": True
            }
        await eventually(lambda: str(bob) == str(alice), what="relay")
        kept = server.get("/_test/garbage")
        assert kept["total"] < 100, f"cyclic garbage per 100 updates: {kept}"
        await alice.close()
        await bob.close()

    run(scenario())
