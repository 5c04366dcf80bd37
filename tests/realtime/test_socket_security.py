"""Hostile members and hostile pages over real sockets: foreign origins,
forged presence, rate limits per person, the document size cap."""

from __future__ import annotations

import asyncio
import json
import re
import time
from typing import Any

import pytest
import socketio
from flask import Flask
from pycrdt import Decoder, Encoder, create_awareness_message

try:
    from collab_helpers import Editor, eventually, run, stored_text
except ImportError:
    from tests.realtime.collab_helpers import Editor, eventually, run, stored_text

EVIL = "https://evil.example"
HEX = re.compile(r"^#[0-9a-f]{6}$")


def awareness_frame(*entries: tuple[int, int, Any]) -> bytes:
    """A y-protocols awareness message: (client id, clock, state) each."""
    enc = Encoder()
    enc.write_var_uint(len(entries))
    for client_id, clock, state in entries:
        enc.write_var_uint(client_id)
        enc.write_var_uint(clock)
        enc.write_var_string(json.dumps(state))
    return create_awareness_message(enc.to_bytes())


def raw_frame(client_id: int, clock: int, text: str) -> bytes:
    """An awareness message whose one state is `text`, JSON or not."""
    enc = Encoder()
    for num in (1, client_id, clock):
        enc.write_var_uint(num)
    enc.write_var_string(text)
    return create_awareness_message(enc.to_bytes())


def read_awareness(frame: bytes) -> dict[int, tuple[int, Any]]:
    """Decode an awareness message: {client id: (clock, state)}."""
    assert frame[0] == 1
    dec = Decoder(frame[1:])
    body = dec.read_message()
    assert body is not None
    inner = Decoder(body)
    out = {}
    for _ in range(inner.read_var_uint()):
        client_id, clock = inner.read_var_uint(), inner.read_var_uint()
        out[client_id] = (clock, json.loads(inner.read_var_string()))
    return out


def seen_states(editor: Editor) -> dict[int, tuple[int, Any]]:
    """Every awareness entry an editor received, the latest per client id."""
    states: dict[int, tuple[int, Any]] = {}
    for frame in editor.awareness:
        states.update(read_awareness(frame))
    return states


# -- 1. cross-site WebSocket hijacking ---------------------------------------


def test_foreign_origin_is_refused_even_with_the_familys_cookie(
    seed, start_server, browser_cookie, local_app: Flask
) -> None:
    server = start_server()
    cookie = browser_cookie(seed.people["parent"])

    async def scenario() -> None:
        evil = Editor(server.url, headers={**cookie, "Origin": EVIL})
        with pytest.raises(socketio.exceptions.ConnectionError):
            await evil.connect()
        evil_token = Editor(server.url, seed.tokens["parent"], headers={"Origin": EVIL})
        with pytest.raises(socketio.exceptions.ConnectionError):
            await evil_token.connect()
        # The portal's own pages, and clients that send no Origin, still connect.
        own = await Editor(
            server.url, headers={**cookie, "Origin": server.url}
        ).connect()
        assert (await own.join(seed.section_a))["ok"]
        tool = await Editor(server.url, seed.tokens["parent"]).connect()
        assert (await tool.join(seed.section_a))["ok"]
        await own.close()
        await tool.close()

    run(scenario())


def test_public_url_is_the_only_origin_when_set(
    seed, start_server, browser_cookie, local_app: Flask
) -> None:
    server = start_server(PUBLIC_URL="https://ehcp.example.gov.uk/portal/")
    cookie = browser_cookie(seed.people["parent"])

    async def scenario() -> None:
        public = await Editor(
            server.url, headers={**cookie, "Origin": "https://ehcp.example.gov.uk"}
        ).connect()
        assert (await public.join(seed.section_a))["ok"]
        await public.close()
        for origin in (EVIL, server.url, "http://ehcp.example.gov.uk"):
            other = Editor(server.url, headers={**cookie, "Origin": origin})
            with pytest.raises(socketio.exceptions.ConnectionError):
                await other.connect()

    run(scenario())


# -- 2. presence is the server's, not whatever a client says --------------------


def test_presence_carries_the_servers_identity_only(
    seed, start_server, local_app: Flask
) -> None:
    server = start_server()
    cursor = {
        "anchor": {"type": {"client": 7, "clock": 0}, "assoc": 0},
        "head": {"tname": "content", "item": {"client": 7, "clock": 3}, "assoc": -1},
    }

    async def scenario() -> None:
        alice = await Editor(server.url, seed.tokens["caseworker"]).connect()
        bob = await Editor(server.url, seed.tokens["parent"]).connect()
        await alice.join(seed.section_a)
        await bob.join(seed.section_a)
        alice_id, bob_id = alice.ydoc.client_id, bob.ydoc.client_id
        mine = {"user": {"name": "Caseworker", "role": "x", "color": "#1d70b8"}}
        ack = await alice.call(
            "awareness",
            {"doc": seed.section_a, "data": awareness_frame((alice_id, 1, mine))},
        )
        assert ack == {"ok": True}
        await eventually(lambda: alice_id in seen_states(bob), what="alice seen")

        # Bob speaks for Alice's client id: refused, nothing relayed.
        forged = {"user": {"name": "Evil", "role": "Caseworker", "color": "red"}}
        ack = await bob.call(
            "awareness",
            {"doc": seed.section_a, "data": awareness_frame((alice_id, 9, forged))},
        )
        assert ack["ok"] is False and "someone else" in ack["error"]

        # Bob claims to be the caseworker, with a colour that is CSS.
        lie = {
            "user": {
                "name": "Caseworker",
                "role": "Caseworker",
                "color": "red;position:fixed;inset:0",
                "colorLight": "url(https://evil.example/x)",
            },
            "cursor": cursor,
            "script": "<img src=x onerror=alert(1)>",
        }
        ack = await bob.call(
            "awareness",
            {"doc": seed.section_a, "data": awareness_frame((bob_id, 1, lie))},
        )
        assert ack == {"ok": True}
        await eventually(lambda: bob_id in seen_states(alice), what="bob seen")
        states = seen_states(alice)
        assert states[bob_id][1]["user"]["name"] == "Parent"
        assert states[bob_id][1]["user"]["role"] == "Parent or carer"
        assert HEX.match(states[bob_id][1]["user"]["color"])
        assert set(states[bob_id][1]) == {"user", "cursor"}
        assert states[bob_id][1]["cursor"] == cursor
        assert alice_id not in states  # her own state is not echoed to her

        # Bob leaves: Alice hears he went, and a later joiner never sees him.
        await bob.call("leave", {"doc": seed.section_a})
        await eventually(
            lambda: seen_states(alice)[bob_id][1] is None, what="bob removed"
        )
        carol = await Editor(server.url, seed.tokens["caseworker"]).connect()
        await carol.join(seed.section_a)
        await asyncio.sleep(0.2)
        # Carol sees Alice as the server knows her, never Bob's forgery.
        assert set(seen_states(carol)) == {alice_id}
        clock, state = seen_states(carol)[alice_id]
        assert clock == 1 and state["user"]["name"] == "Caseworker"
        assert state["user"]["role"] == "Caseworker" and "cursor" not in state
        for editor in (alice, bob, carol):
            await editor.close()

    run(scenario())


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("truncated", create_awareness_message(b"\x01\x05"), "truncated"),
        ("not json", raw_frame(5, 1, "{not json"), "JSON"),
        ("a list", awareness_frame((5, 1, [1, 2])), "object"),
        ("too big", awareness_frame((5, 1, {"cursor": "x" * 5000})), "too large"),
        ("deep", raw_frame(5, 1, '{"a":' + "[" * 2000 + "]" * 2000 + "}"), "JSON"),
        ("many", awareness_frame(*[(i + 1, 1, {}) for i in range(40)]), "client"),
    ],
)
def test_malformed_presence_gets_an_error_and_the_connection_goes_on(
    seed, start_server, local_app: Flask, name: str, data: bytes, expected: str
) -> None:
    server = start_server()

    async def scenario() -> None:
        editor = await Editor(server.url, seed.tokens["caseworker"]).connect()
        other = await Editor(server.url, seed.tokens["parent"]).connect()
        await editor.join(seed.section_a)
        await other.join(seed.section_a)
        ack = await editor.call("awareness", {"doc": seed.section_a, "data": data})
        assert ack["ok"] is False, name
        assert expected in ack["error"], (name, ack)
        await eventually(lambda: editor.errors, what="error event")
        assert other.awareness == []
        assert (await editor.edit(lambda t: t.insert(0, "still here")))["ok"]
        await editor.close()
        await other.close()

    run(scenario())


# -- 3. limits per person and per document ----------------------------------------


def test_update_rate_is_per_person_across_connections(
    seed, start_server, local_app: Flask
) -> None:
    rate = 5
    server = start_server(UPDATES_PER_SECOND=str(rate))

    async def scenario() -> None:
        tabs = [
            await Editor(server.url, seed.tokens["caseworker"]).connect()
            for _ in range(6)
        ]
        for tab in tabs:
            await tab.join(seed.section_a)
        await asyncio.sleep(1.2)  # the joins' step 1 spent tokens: refill
        started = time.monotonic()

        async def burst(tab: Editor, n: int) -> list[Any]:
            return [
                await tab.edit(lambda t, i=i: t.insert(0, f"{n}.{i} "))
                for i in range(rate)
            ]

        acks = sum(await asyncio.gather(*(burst(t, n) for n, t in enumerate(tabs))), [])
        elapsed = time.monotonic() - started
        accepted = sum(1 for a in acks if a["ok"])
        # One bucket for the person: a burst of `rate`, then `rate` a second.
        # Paced, not refused: the last waits long enough for the rest.
        assert accepted <= rate + rate * elapsed + 1, (accepted, elapsed)
        assert elapsed >= (len(acks) - rate) / rate * 0.8, (accepted, elapsed)
        for tab in tabs:
            await tab.close()

    run(scenario())


def test_document_size_cap_refuses_growth_and_keeps_what_is_stored(
    seed, start_server, local_app: Flask
) -> None:
    server = start_server(MAX_DOCUMENT_BYTES="4000")

    async def scenario() -> Editor:
        editor = await Editor(server.url, seed.tokens["caseworker"]).connect()
        ack = await editor.join(seed.section_a)
        assert editor.limits["max_document_bytes"] == 4000, ack
        accepted = []
        for i in range(10):
            ack = await editor.edit(lambda t, i=i: t.insert(len(t), f"{i}" * 900))
            if not ack["ok"]:
                assert "This document has reached its size limit" in ack["error"]
                break
            accepted.append(i)
        else:
            raise AssertionError("the cap never refused")
        assert 2 <= len(accepted) <= 4
        assert stored_text(seed.section_a) == "".join(f"{i}" * 900 for i in accepted)
        await editor.close()
        return editor

    run(scenario())
    # After a restart the size is measured again on load: still refused.
    server.stop()
    server.start()

    async def again() -> None:
        editor = await Editor(server.url, seed.tokens["caseworker"]).connect()
        await editor.join(seed.section_a)
        ack = await editor.edit(lambda t: t.insert(0, "y" * 900))
        assert ack["ok"] is False and "size limit" in ack["error"]
        # Deleting still works: it is how a full document gets room again.
        ack = await editor.edit(lambda t: t.__delitem__(slice(len(t) - 900, len(t))))
        assert ack["ok"] is True, ack
        await editor.close()

    run(again())


# -- 4. other inputs that could stall the process ----------------------------------


def test_join_and_leave_are_rate_limited(seed, start_server, local_app: Flask) -> None:
    server = start_server(UPDATES_PER_SECOND="5")

    async def scenario() -> None:
        editor = await Editor(server.url, seed.tokens["caseworker"]).connect()
        started = time.monotonic()
        for _ in range(30):
            # Each join of an empty room loads the whole document: paced.
            assert (await editor.join(seed.section_b, sync=False))["ok"]
            await editor.call("leave", {"doc": seed.section_b})
        assert time.monotonic() - started >= (30 - 5) / 5 * 0.8
        await editor.close()

    run(scenario())
