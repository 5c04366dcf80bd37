"""Property-based tests (hypothesis) of presence decoding and cleaning.

For any bytes, and for valid awareness frames damaged byte by byte,
`presence.decode` returns entries or raises `BadMessage`, nothing else. For
any decoded state, `clean` keeps only the server's `user` and a well-formed
cursor, and what the server then encodes decodes back to the same entries.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from realtime.presence import (
    MAX_CLIENT_ID,
    MAX_ENTRIES,
    Entry,
    Identity,
    clean,
    decode,
    encode,
)
from realtime.protocol import BadMessage
from tests.hypo import EDITS, HUGE, examples, mutate, var_uint

PROPERTY = settings(
    max_examples=examples(300),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

IDS = st.integers(0, MAX_CLIENT_ID) | st.sampled_from(HUGE) | st.integers(-5, -1)
NAMES = st.text(max_size=250)  # lone surrogates included, as JSON escapes allow
ANYTHING = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | NAMES,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
ID = st.fixed_dictionaries({"client": IDS, "clock": IDS}) | ANYTHING
POSITION = (
    st.fixed_dictionaries(
        {},
        optional={
            "type": st.none() | ID,
            "item": st.none() | ID,
            "tname": st.none() | NAMES | ANYTHING,
            "assoc": st.none() | st.integers(-(2**32), 2**32) | ANYTHING,
        },
    )
    | ANYTHING
)
CURSOR = (
    st.fixed_dictionaries(
        {"anchor": POSITION, "head": POSITION}, optional={"x": ANYTHING}
    )
    | ANYTHING
)
STATES = st.none() | st.fixed_dictionaries(
    {},
    optional={
        "cursor": CURSOR,
        "user": ANYTHING,
        "x": ANYTHING,
    },
)
IDENTITIES = st.builds(
    Identity,
    person_id=st.integers(0, 2**40),
    name=st.text(max_size=300),
    role=st.sampled_from(("Caseworker", "Parent or carer", "Professional")),
)


def frame_of(entries: list[tuple[int, int, Any]], as_json: bool = True) -> bytes:
    """An awareness frame written by hand (any numbers, any JSON text)."""
    parts = [var_uint(len(entries))]
    for client, clock, state in entries:
        if not as_json:
            raw = state.encode("utf-8", "surrogatepass")
        else:  # UTF-8 as browsers write it, or \u escapes for lone surrogates
            try:
                raw = json.dumps(state, ensure_ascii=False).encode("utf-8")
            except UnicodeEncodeError:
                raw = json.dumps(state).encode("utf-8")
        parts += [var_uint(max(client, 0)), var_uint(max(clock, 0))]
        parts += [var_uint(len(raw)), raw]
    body = b"".join(parts)
    return b"\x01" + var_uint(len(body)) + body


ENTRIES = st.lists(st.tuples(IDS, IDS, STATES), max_size=MAX_ENTRIES + 1)


def check_decoded(frame: bytes, identity: Identity) -> None:
    """The property: BadMessage, or entries whose cleaned states are safe."""
    try:
        entries = decode(frame)
    except BadMessage:
        return
    assert len(entries) <= MAX_ENTRIES
    cleaned = []
    for entry in entries:
        assert 0 <= entry.client_id <= MAX_CLIENT_ID
        assert entry.state is None or isinstance(entry.state, dict)
        state = clean(entry.state, identity)
        if state is None:
            assert entry.state is None
        else:
            assert set(state) <= {"user", "cursor"}
            assert state["user"] == identity.user
            assert clean(state, identity) == state  # cleaning is idempotent
            if "cursor" in state:
                cursor = state["cursor"]
                assert set(cursor) == {"anchor", "head"}
                for position in cursor.values():
                    assert set(position) <= {"type", "item", "tname", "assoc"}
        cleaned.append(Entry(entry.client_id, entry.clock, state))
    assert decode(encode(cleaned)) == cleaned


@PROPERTY
@given(frame=st.binary(max_size=300), identity=IDENTITIES)
def test_any_bytes_decode_or_raise_bad_message(
    frame: bytes, identity: Identity
) -> None:
    check_decoded(frame, identity)


# The largest state `clean` can leave: a 200-character name and type names.
# The server once wrote it with \u escapes, 4,860 bytes, more than the
# 4,096 it accepts: its own presence frame did not decode.
WIDEST = {"tname": "\U0001f600" * 200, "type": {"client": MAX_CLIENT_ID, "clock": 1}}


@PROPERTY
@given(entries=ENTRIES, identity=IDENTITIES)
@example(
    entries=[(1, 1, {"cursor": {"anchor": WIDEST, "head": WIDEST}})],
    identity=Identity(1, "\U0001f600" * 200, "Parent or carer"),
)
def test_any_state_is_cleaned_to_user_and_cursor(
    entries: list[tuple[int, int, Any]], identity: Identity
) -> None:
    check_decoded(frame_of(entries), identity)


@PROPERTY
@given(
    entries=ENTRIES,
    text=st.lists(NAMES, max_size=2),
    edits=EDITS,
    identity=IDENTITIES,
)
def test_damaged_frames_decode_or_raise_bad_message(
    entries: list[tuple[int, int, Any]],
    text: list[str],
    edits: list[tuple[str, int, object]],
    identity: Identity,
) -> None:
    raw = frame_of([(1, 1, t) for t in text], as_json=False) if text else b""
    check_decoded(mutate(raw or frame_of(entries), edits), identity)
