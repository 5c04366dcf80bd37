"""The server, not the browser, decides who may write; bad input never hurts."""

from __future__ import annotations

import asyncio
import os
import time
from datetime import timedelta

import pytest
import socketio
from flask import Flask
from pycrdt import Doc, Text, create_awareness_message, create_update_message
from sqlalchemy import select

from portal.extensions import db
from portal.models import Case, SignIn, utcnow

try:
    from collab_helpers import NS, Editor, eventually, log_rows, run, stored_text
except ImportError:
    from tests.realtime.collab_helpers import (
        NS,
        Editor,
        eventually,
        log_rows,
        run,
        stored_text,
    )


def hostile_update() -> bytes:
    ydoc: Doc = Doc()
    ydoc.get("content", type=Text).insert(0, "HACKED")
    return ydoc.get_update()


def share_draft(case_id: int) -> None:
    db.session.get(Case, case_id).draft_shared = True
    db.session.commit()


@pytest.mark.parametrize("who", ["reader", "commenter", "outsider", "not-joined"])
def test_writes_without_edit_access_are_refused(
    seed, start_server, local_app: Flask, who: str
) -> None:
    """Both write messages, sync step 2 and update, from a hostile client."""
    share_draft(seed.case_id)  # professional reads B, parent comments on B
    role = {
        "reader": "professional",
        "commenter": "parent",
        "outsider": "outsider",
        "not-joined": "caseworker",
    }[who]
    server = start_server()

    async def scenario() -> None:
        watcher = await Editor(server.url, seed.tokens["caseworker"]).connect()
        await watcher.join(seed.section_b)
        assert (await watcher.edit(lambda t: t.insert(0, "Needs: ")))["ok"]
        before = log_rows(seed.section_b)
        seen_before = len(watcher.received)

        hostile = await Editor(server.url, seed.tokens[role]).connect()
        if who in ("reader", "commenter"):
            ack = await hostile.join(seed.section_b)
            assert ack == {
                "ok": True,
                "access": "read" if who == "reader" else "comment",
            }
        elif who == "outsider":
            ack = await hostile.join(seed.section_b)
            assert ack["ok"] is False and "not shared" in ack["error"]
        hostile.doc_id = seed.section_b
        for step2 in (False, True):
            errors = len(hostile.errors)
            ack = await hostile.send_update(hostile_update(), step2=step2)
            assert ack["ok"] is False
            await eventually(
                lambda e=errors: len(hostile.errors) > e, what="error event"
            )
            assert hostile.errors[-1]["doc"] == seed.section_b

        await asyncio.sleep(0.3)
        assert log_rows(seed.section_b) == before
        assert len(watcher.received) == seen_before
        assert "HACKED" not in str(watcher)
        # The connection stays usable: it can still ask for the document.
        if who in ("reader", "commenter"):
            assert (
                await hostile.call(
                    "sync", {"doc": seed.section_b, "data": bytes([0, 0, 1, 0])}
                )
            )["ok"]
            await eventually(lambda: "Needs:" in str(hostile), what="read still works")
        await hostile.close()
        await watcher.close()

    run(scenario())


def test_read_only_member_may_answer_sync_with_nothing_new(
    seed, start_server, local_app: Flask
) -> None:
    share_draft(seed.case_id)
    server = start_server()

    async def scenario() -> None:
        writer = await Editor(server.url, seed.tokens["caseworker"]).connect()
        await writer.join(seed.section_b)
        await writer.edit(lambda t: t.insert(0, "Communication. "))
        reader = await Editor(server.url, seed.tokens["professional"]).connect()
        await reader.join(seed.section_b)
        await eventually(
            lambda: reader.acks, what="reader answered the server's step 1"
        )
        assert reader.acks == [{"ok": True}]
        assert reader.errors == []
        # Echoing content the server already has is not a write either.
        assert await reader.send_update(reader.ydoc.get_update(), step2=True) == {
            "ok": True
        }
        await reader.close()
        await writer.close()

    run(scenario())


def test_submitted_advice_refuses_updates(seed, start_server, local_app: Flask) -> None:
    server = start_server()

    async def scenario() -> None:
        author = await Editor(server.url, seed.tokens["professional"]).connect()
        assert (await author.join(seed.advice))["access"] == "edit"
        assert (await author.edit(lambda t: t.insert(0, "Advice.")))["ok"]
        from portal.models import Document

        db.session.get(Document, seed.advice).status = "submitted"
        db.session.commit()
        # Even before any signal arrives, the fresh policy check refuses.
        ack = await author.edit(lambda t: t.insert(0, "Late change. "))
        assert ack["ok"] is False and "submitted" in ack["error"]
        assert log_rows(seed.advice) == 1
        await author.close()

    run(scenario())


BAD_PAYLOADS = [
    ("not-a-dict", "hello", "Send an object"),
    ("list", [1, 2], "Send an object"),
    ("missing doc", {"data": b"\x00\x00\x01\x00"}, '"doc" must be'),
    ("doc is text", {"doc": "1", "data": b"\x00\x00\x01\x00"}, '"doc" must be'),
    ("doc is bool", {"doc": True, "data": b"\x00\x00\x01\x00"}, '"doc" must be'),
    ("data is text", {"doc": 0, "data": "AAEA"}, '"doc" must be'),
    ("data missing", {"doc": "SELF"}, '"data" must be binary'),
    ("data as text", {"doc": "SELF", "data": "\x00\x02"}, '"data" must be binary'),
    ("awareness frame on sync", {"doc": "SELF", "data": b"\x01\x01\x00"}, "sync frame"),
    ("unknown message type", {"doc": "SELF", "data": b"\x07\x00"}, "sync frame"),
    ("unknown sync type", {"doc": "SELF", "data": b"\x00\x09\x00"}, "Unknown sync"),
    ("truncated frame", {"doc": "SELF", "data": b"\x00\x02\x10\x01"}, "truncated"),
    ("empty frame", {"doc": "SELF", "data": b""}, "truncated"),
    (
        "trailing bytes",
        {"doc": "SELF", "data": b"\x00\x02\x02\x00\x00\xff"},
        "trailing",
    ),
    (
        "garbage update",
        {"doc": "SELF", "data": create_update_message(b"\xff\xfe\x01\x02\x03")},
        "malformed",
    ),
    (
        "garbage state vector",
        {"doc": "SELF", "data": b"\x00\x00\x03\xff\xff\xff"},
        "malformed",
    ),
    (
        "unknown document",
        {"doc": 999999, "data": b"\x00\x00\x01\x00"},
        "Join the document",
    ),
]


def test_malformed_and_oversized_messages_get_errors(
    seed, start_server, local_app: Flask
) -> None:
    server = start_server(MAX_UPDATE_BYTES="4096", UPDATES_PER_SECOND="1000")

    async def scenario() -> None:
        editor = await Editor(server.url, seed.tokens["caseworker"]).connect()
        await editor.join(seed.section_a)
        assert (await editor.edit(lambda t: t.insert(0, "Intact. ")))["ok"]
        rows = log_rows(seed.section_a)
        for name, payload, expected in BAD_PAYLOADS:
            if isinstance(payload, dict) and payload.get("doc") == "SELF":
                payload = {**payload, "doc": seed.section_a}
            ack = await editor.call("sync", payload)
            assert ack["ok"] is False, name
            assert expected in ack["error"], (name, ack)
        for _ in range(20):
            junk = create_update_message(os.urandom(64))
            assert (await editor.call("sync", {"doc": seed.section_a, "data": junk}))[
                "ok"
            ] is False
        big = await editor.edit(lambda t: t.insert(0, "x" * 5000))
        assert big["ok"] is False and "too large" in big["error"]
        bad_presence = {
            "doc": seed.section_a,
            "data": create_awareness_message(b"\x01\x05"),
        }
        assert (await editor.call("awareness", bad_presence))["ok"] is False
        assert (await editor.call("join", {"doc": "x"}))["ok"] is False
        assert (await editor.call("join", None))["ok"] is False
        assert len(editor.errors) >= len(BAD_PAYLOADS)
        assert log_rows(seed.section_a) == rows

        # Still healthy: the same connection and a new one can edit and read.
        other = await Editor(server.url, seed.tokens["parent"]).connect()
        await other.join(seed.section_a)
        assert str(other) == "Intact. "
        assert (await other.edit(lambda t: t.insert(len(t), "Still fine.")))["ok"]
        await eventually(
            lambda: "Still fine." in str(editor), what="relay after bad input"
        )
        await editor.close()
        await other.close()

    run(scenario())


def test_rate_limit_slows_a_burst_down_instead_of_losing_it(
    seed, start_server, local_app: Flask
) -> None:
    server = start_server(UPDATES_PER_SECOND="20")

    async def scenario() -> None:
        editor = await Editor(server.url, seed.tokens["caseworker"]).connect()
        await editor.join(seed.section_a)
        await asyncio.sleep(1.1)  # refill after the join's sync
        started = time.monotonic()
        acks = await asyncio.gather(
            *(editor.edit(lambda t, i=i: t.insert(0, f"{i},")) for i in range(60))
        )
        took = time.monotonic() - started
        assert all(a["ok"] for a in acks)
        # 20 at once, the other 40 at 20 a second: paced, not refused.
        assert took >= 1.8
        assert all(f"{i}," in stored_text(seed.section_a) for i in range(60))
        await editor.close()

    run(scenario())


def test_connections_need_a_token_or_a_live_sign_in(
    seed, start_server, local_app: Flask, browser_cookie
) -> None:
    server = start_server(SESSION_IDLE_MINUTES="30")
    live_cookie = browser_cookie(seed.people["parent"])
    idle_cookie = browser_cookie(seed.people["parent"])
    ended_cookie = browser_cookie(seed.people["parent"])
    rows = db.session.scalars(select(SignIn).order_by(SignIn.id)).all()
    rows[1].last_seen_at = utcnow() - timedelta(minutes=31)
    rows[2].ended_at = utcnow()
    db.session.commit()
    serializer = local_app.session_interface.get_signing_serializer(local_app)
    cookie_name = local_app.config["SESSION_COOKIE_NAME"]
    # The old cookie shape, signed with the right key, names no sign-in.
    forged = {"Cookie": f"{cookie_name}={serializer.dumps({'pid': 2, 'seen': 0})}"}

    async def refused(editor: Editor) -> str:
        with pytest.raises(socketio.exceptions.ConnectionError):
            await editor.connect()
        await editor.close()
        return str(editor.refusals)

    async def scenario() -> None:
        assert "Sign in" in await refused(Editor(server.url))
        assert "not valid" in await refused(Editor(server.url, token="ehcp_forged"))
        assert "timed out" in await refused(Editor(server.url, headers=idle_cookie))
        assert "timed out" in await refused(Editor(server.url, headers=ended_cookie))
        assert "Sign in" in await refused(Editor(server.url, headers=forged))
        live = await Editor(server.url, headers=live_cookie).connect()
        assert await live.join(seed.section_a) == {"ok": True, "access": "edit"}
        await live.close()
        sio = socketio.AsyncClient(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await sio.connect(
                server.url, namespaces=[NS], transports=["websocket"], wait_timeout=5
            )

    run(scenario())
