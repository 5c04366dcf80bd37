"""Presence decoding, cleaning and encoding (`realtime.presence`), without sockets."""

from __future__ import annotations

import json

import pytest
from pycrdt import Awareness, Doc, create_awareness_message

from realtime.presence import PALETTE, Entry, Identity, clean, decode, encode, removal
from realtime.protocol import BadMessage

ME = Identity(7, "Ana Parent", "Parent or carer")


def test_round_trip_with_pycrdt_awareness() -> None:
    ydoc: Doc = Doc()
    awareness = Awareness(ydoc)
    awareness.set_local_state({"user": {"name": "x"}, "cursor": None})
    frame = create_awareness_message(
        awareness.encode_awareness_update([ydoc.client_id])
    )
    (entry,) = decode(frame)
    assert entry.client_id == ydoc.client_id and entry.state is not None
    assert decode(encode([entry])) == [entry]


def test_clean_puts_the_servers_user_and_keeps_only_a_cursor() -> None:
    cursor = {"anchor": {"tname": "content", "assoc": 0}, "head": {"assoc": 0}}
    state = {
        "user": {"name": "Boss", "color": "red;position:fixed"},
        "cursor": cursor,
        "x": 1,
    }
    out = clean(state, ME)
    assert out == {"user": ME.user, "cursor": cursor}
    assert ME.user["color"] == PALETTE[7 % len(PALETTE)]
    assert clean(None, ME) is None


def test_a_cursor_as_y_prosemirror_sends_it_is_kept() -> None:
    """y-prosemirror puts the RelativePosition objects themselves in the
    state, so absent parts arrive as null."""
    anchor = {
        "type": None,
        "tname": None,
        "item": {"client": 5, "clock": 12},
        "assoc": 0,
    }
    head = {"type": {"client": 5, "clock": 2}, "tname": None, "item": None, "assoc": -1}
    out = clean({"cursor": {"anchor": anchor, "head": head}}, ME)
    assert out == {
        "user": ME.user,
        "cursor": {
            "anchor": {"item": {"client": 5, "clock": 12}, "assoc": 0},
            "head": {"type": {"client": 5, "clock": 2}, "assoc": -1},
        },
    }


@pytest.mark.parametrize(
    "cursor",
    [
        "x",
        {"anchor": {"type": {"client": -1, "clock": 0}}, "head": {}},
        {"anchor": {"item": {"client": "1", "clock": 0}}, "head": {}},
        {"anchor": {"assoc": True}, "head": {}},
        {"anchor": {"tname": ["content"]}, "head": {}},
        {"anchor": {}},
    ],
)
def test_a_malformed_cursor_is_dropped(cursor: object) -> None:
    assert clean({"cursor": cursor}, ME) == {"user": ME.user}


def test_removal_says_null_with_the_next_clock() -> None:
    assert decode(removal({5: 3})) == [Entry(5, 4, None)]


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (b"", "truncated"),
        (b"\x00\x01\x00", "first byte 1"),
        (create_awareness_message(b"\x01\x05"), "truncated"),
        (create_awareness_message(b"\x01\x05\x01\x03{x}"), "JSON"),
        (create_awareness_message(b"\x01\x05\x01\x02\xff\xfe"), "JSON"),
        (create_awareness_message(b"\x01\x05\x01\x01" + b"5"), "object or null"),
        (create_awareness_message(b"\x00") + b"\x00", "trailing"),
        (create_awareness_message(b"\x00\x00"), "trailing"),
        (create_awareness_message(b"\xff\xff\xff\xff\x0f"), "at most"),
        (create_awareness_message(b"\x01" + b"\xff" * 9 + b"\x7f\x01\x02{}"), "range"),
        (create_awareness_message(b"\x01" + b"\xff" * 20), "malformed"),
    ],
)
def test_malformed_frames_are_refused_with_a_message(
    frame: bytes, message: str
) -> None:
    with pytest.raises(BadMessage, match=message):
        decode(frame)


def test_a_large_or_deep_state_is_refused() -> None:
    big = json.dumps({"cursor": "x" * 5000}).encode()
    frame = create_awareness_message(
        b"\x01\x05\x01" + bytes([0x80 | (len(big) & 0x7F), len(big) >> 7]) + big
    )
    with pytest.raises(BadMessage, match="too large"):
        decode(frame)
    deep = ("[" * 2000 + "]" * 2000).encode()
    frame = create_awareness_message(
        b"\x01\x05\x01" + bytes([0x80 | (len(deep) & 0x7F), len(deep) >> 7]) + deep
    )
    with pytest.raises(BadMessage, match="JSON"):
        decode(frame)
