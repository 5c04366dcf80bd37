"""A property-based test (hypothesis) of the sync and presence handlers, over a real socket.

A real server (a subprocess, as the other realtime tests start it) and a real
Socket.IO client; hypothesis writes what the client sends for a document it
may edit: arbitrary bytes, damaged real updates, frames with huge var uints,
step 1 requests with junk state vectors, presence frames, and payloads of the
wrong shape or for the wrong document. Properties: every message is answered
(an acknowledgement) within a time bound, never with the server's "could not
handle" (an unexpected exception); a refused message leaves the stored
document as it was; and the server stays up: a later real edit is
acknowledged and stored.
"""

from __future__ import annotations

import json
import time
from typing import Any

from flask import Flask
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pycrdt import Doc, Text

from tests.hypo import EDITS, HUGE, examples, mutate, var_uint

try:
    from collab_helpers import NS, Editor, log_rows, run, stored_text
except ImportError:
    from tests.realtime.collab_helpers import NS, Editor, log_rows, run, stored_text

ANSWER_SECONDS = 5.0
UNEXPECTED = "The server could not handle that message."

JUNK = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
NUMBERS = st.sampled_from(HUGE) | st.integers(0, 300)
# What goes in "data": a description, built against the live document in `data_of`.
DATA = st.one_of(
    st.tuples(st.just("bytes"), st.binary(max_size=200)),
    st.tuples(  # a frame header with any numbers, then any body
        st.just("frame"), NUMBERS, NUMBERS, NUMBERS, st.binary(max_size=64)
    ),
    st.tuples(  # a real update of the live text, maybe damaged, as step 2 or update
        st.just("real"),
        st.sampled_from((1, 2)),
        st.text(min_size=1, max_size=6),
        st.none() | EDITS,
    ),
    st.tuples(  # sync step 1 with a junk state vector
        st.just("step1"), st.lists(st.tuples(NUMBERS, NUMBERS), max_size=3)
    ),
    st.tuples(st.just("presence"), JUNK, st.none() | EDITS),
)
OURS = st.tuples(st.just("ours"), DATA)  # {"doc": the document, "data": …}
OTHER = st.one_of(
    st.tuples(
        st.just("doc"), st.sampled_from((0, -1, 2**70, True, "1", None, 1.5)), DATA
    ),
    st.tuples(st.just("junk"), JUNK),  # any shape at all
    st.tuples(st.just("text data"), st.text(max_size=20)),
)
# Mostly well-shaped, so that most reach the checks behind the envelope.
PAYLOAD = st.integers(0, 9).flatmap(lambda n: OURS if n < 7 else OTHER)
# (whether to send it as the other event, the payload)
MESSAGES = st.lists(
    st.tuples(st.integers(0, 5).map(lambda n: n == 0), PAYLOAD), min_size=1, max_size=5
)


def event_of(swap: bool, spec: tuple[Any, ...]) -> str:
    """`awareness` for presence data, `sync` for the rest, unless swapped."""
    data = spec[-1] if spec[0] in ("ours", "doc") else ("junk",)
    presence = data[0] == "presence"
    return "awareness" if presence != swap else "sync"


def frame(*numbers: int, body: bytes = b"") -> bytes:
    return b"".join(var_uint(n) for n in numbers) + body


def data_of(spec: tuple[Any, ...], live: Doc[Any]) -> bytes:
    """The bytes a DATA description stands for, against the client's document."""
    kind = spec[0]
    if kind == "bytes":
        return bytes(spec[1])
    if kind == "frame":
        return frame(spec[1], spec[2], spec[3], body=spec[4])
    if kind == "real":
        scratch: Doc[Any] = Doc()
        scratch.apply_update(live.get_update())
        text = scratch.get("content", type=Text)
        before = scratch.get_state()
        text.insert(len(str(text)) if str(text).isascii() else 0, spec[2])
        update = scratch.get_update(before)
        if spec[3] is not None:
            update = mutate(update, spec[3])
        return frame(0, spec[1], len(update), body=update)
    if kind == "step1":
        vector = frame(len(spec[1]), *[n for pair in spec[1] for n in pair])
        return frame(0, 0, len(vector), body=vector)
    try:
        text = json.dumps(spec[1], ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, ValueError):
        text = b"{}"
    states = frame(1, 42, 1, len(text), body=text)
    if spec[2] is not None:
        states = mutate(states, spec[2])
    return frame(1, len(states), body=states)


def payload_of(spec: tuple[Any, ...], doc_id: int, live: Doc[Any]) -> Any:
    kind = spec[0]
    if kind == "ours":
        return {"doc": doc_id, "data": data_of(spec[1], live)}
    if kind == "doc":
        return {"doc": spec[1], "data": data_of(spec[2], live)}
    if kind == "junk":
        return spec[1]
    return {"doc": doc_id, "data": spec[1]}


def test_hostile_payloads_are_answered_and_refusals_change_nothing(
    seed: Any, start_server: Any, local_app: Flask
) -> None:
    server = start_server(UPDATES_PER_SECOND="2000", MAX_UPDATE_BYTES="20000")
    doc_id = seed.section_a

    async def scenario(messages: list[tuple[bool, tuple[Any, ...]]]) -> None:
        editor = await Editor(server.url, seed.tokens["parent"]).connect()
        try:
            assert (await editor.join(doc_id))["ok"]
            for swap, spec in messages:
                name = event_of(swap, spec)
                payload = payload_of(spec, doc_id, editor.ydoc)
                rows, text = log_rows(doc_id), stored_text(doc_id)
                started = time.monotonic()
                ack = await editor.sio.call(
                    name, payload, namespace=NS, timeout=ANSWER_SECONDS
                )
                assert time.monotonic() - started < ANSWER_SECONDS
                assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), ack
                event(f"{name}: {ack.get('error', 'ok')}"[:90])
                if not ack["ok"]:
                    assert ack["error"] != UNEXPECTED, (name, payload)
                    assert log_rows(doc_id) == rows, (name, payload)
                    assert stored_text(doc_id) == text, (name, payload)
            marker = f" ok{time.monotonic_ns()}"
            ack = await editor.edit(lambda t: t.insert(len(str(t)), marker))
            assert ack == {"ok": True}, ack
            assert marker in stored_text(doc_id)
        finally:
            await editor.close()

    @settings(
        max_examples=examples(40),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(messages=MESSAGES)
    def sent(messages: list[tuple[bool, tuple[Any, ...]]]) -> None:
        run(scenario(messages))
        assert server.proc is not None and server.proc.poll() is None

    sent()
    assert server.proc is not None and server.proc.poll() is None
