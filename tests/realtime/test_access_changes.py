"""Permission changes apply at once to open connections, on every process."""

from __future__ import annotations

import asyncio

from flask import Flask
from sqlalchemy import delete

from portal.extensions import db
from portal.models import Case, Document, Membership
from tests.services import redis_url

try:
    from collab_helpers import Editor, eventually, run
except ImportError:
    from tests.realtime.collab_helpers import Editor, eventually, run


def test_removed_member_is_dropped_and_hears_nothing(
    seed, start_server, local_app: Flask
) -> None:
    server = start_server()

    async def scenario() -> None:
        caseworker = await Editor(server.url, seed.tokens["caseworker"]).connect()
        parent = await Editor(server.url, seed.tokens["parent"]).connect()
        await caseworker.join(seed.section_a)
        await parent.join(seed.section_a)
        assert (await caseworker.edit(lambda t: t.insert(0, "Before. ")))["ok"]
        await eventually(lambda: "Before." in str(parent), what="relay before removal")

        db.session.execute(
            delete(Membership).where(Membership.id == seed.memberships["parent"])
        )
        db.session.commit()
        server.get(f"/_test/access-changed?case_id={seed.case_id}")
        await eventually(lambda: parent.access, what="access event")
        assert parent.access == [{"doc": seed.section_a, "access": "none"}]

        heard = len(parent.received)
        assert (await caseworker.edit(lambda t: t.insert(0, "After. ")))["ok"]
        await caseworker.call(
            "awareness",
            {"doc": seed.section_a, "data": b'\x01\x0b\x01\x05\x01\x07{"a":1}'},
        )
        await asyncio.sleep(0.3)
        assert len(parent.received) == heard and parent.awareness == []
        ack = await parent.edit(lambda t: t.insert(0, "Sneaky. "))
        assert ack["ok"] is False
        assert (await parent.join(seed.section_a))["ok"] is False
        assert "Sneaky" not in str(caseworker)
        await parent.close()
        await caseworker.close()

    run(scenario())


def test_submitting_advice_makes_the_author_a_reader(
    seed, start_server, local_app: Flask
) -> None:
    server = start_server()

    async def scenario() -> None:
        author = await Editor(server.url, seed.tokens["professional"]).connect()
        caseworker = await Editor(server.url, seed.tokens["caseworker"]).connect()
        assert (await author.join(seed.advice))["access"] == "edit"
        assert (await caseworker.join(seed.advice))["access"] == "comment"
        assert (await author.edit(lambda t: t.insert(0, "Speech therapy weekly.")))[
            "ok"
        ]

        db.session.get(Document, seed.advice).status = "submitted"
        db.session.commit()
        server.get(
            f"/_test/access-changed?case_id={seed.case_id}&document_id={seed.advice}"
        )
        await eventually(lambda: author.access, what="access event")
        assert author.access == [{"doc": seed.advice, "access": "read"}]
        assert caseworker.access == []  # unchanged: no event
        ack = await author.edit(lambda t: t.insert(0, "Edited later. "))
        assert ack["ok"] is False

        db.session.get(Document, seed.advice).status = "draft"  # reopened
        db.session.commit()
        server.get(
            f"/_test/access-changed?case_id={seed.case_id}&document_id={seed.advice}"
        )
        await eventually(lambda: len(author.access) == 2, what="reopen event")
        assert author.access[-1]["access"] == "edit"
        await author.close()
        await caseworker.close()

    run(scenario())


def test_sharing_the_draft_lets_members_join_without_reloading(
    seed, start_server, local_app: Flask
) -> None:
    server = start_server()

    async def scenario() -> None:
        parent = await Editor(server.url, seed.tokens["parent"]).connect()
        assert (await parent.join(seed.section_b))["ok"] is False
        db.session.get(Case, seed.case_id).draft_shared = True
        db.session.commit()
        server.get(f"/_test/access-changed?case_id={seed.case_id}")
        assert await parent.join(seed.section_b) == {"ok": True, "access": "comment"}
        await parent.close()

    run(scenario())


def test_two_processes_sharing_redis_converge(
    seed, start_server, local_app: Flask
) -> None:
    url = redis_url()
    first = start_server(REDIS_URL=url)
    second = start_server(REDIS_URL=url)

    async def scenario() -> None:
        alice = await Editor(first.url, seed.tokens["caseworker"]).connect()
        bob = await Editor(second.url, seed.tokens["parent"]).connect()
        await alice.join(seed.section_a)
        await bob.join(seed.section_a)

        async def burst(editor: Editor, tag: str) -> None:
            for i in range(20):
                ack = await editor.edit(lambda t, w=f"<{tag}{i}>": t.insert(len(t), w))
                assert ack == {"ok": True}

        await asyncio.gather(burst(alice, "a"), burst(bob, "b"))
        await eventually(
            lambda: str(alice) == str(bob) and str(alice).count("<") == 40,
            what="clients converge across processes",
        )
        # Each process's in-memory room converged too (doorbell + log tail),
        # without any client asking it to.
        await eventually(
            lambda: (
                first.get(f"/_test/room?doc={seed.section_a}")["text"] == str(alice)
                and second.get(f"/_test/room?doc={seed.section_a}")["text"]
                == str(alice)
            ),
            what="rooms converge across processes",
        )

        # An access change made through one process reaches the other's clients.
        db.session.execute(
            delete(Membership).where(Membership.id == seed.memberships["parent"])
        )
        db.session.commit()
        first.get(f"/_test/access-changed?case_id={seed.case_id}")
        await eventually(lambda: bob.access, what="access event across processes")
        assert bob.access[-1]["access"] == "none"
        await alice.close()
        await bob.close()

    run(scenario())
