"""A small lib0 / Yjs v1 update encoder for building test inputs by hand.

It writes exactly what the bytes say, including what Yjs never would (huge
clocks, deep nesting, unknown content kinds), so tests can aim at one rule of
the validator at a time.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

# Content kinds (the low five bits of an item's info byte) and flag bits.
DELETED, JSON, BINARY, STRING, EMBED, FORMAT, TYPE, ANY, DOC = range(1, 10)
GC, SKIP = 0, 10
HAS_ORIGIN, HAS_RIGHT_ORIGIN, HAS_PARENT_SUB = 0x80, 0x40, 0x20
ARRAY, MAP, TEXT, XML_ELEMENT, XML_FRAGMENT, XML_HOOK, XML_TEXT = range(7)

ID = tuple[int, int]


def var_uint(num: int) -> bytes:
    """lib0 writeVarUint (any size: tests may go past what lib0 allows)."""
    out = bytearray()
    while num > 0x7F:
        out.append(0x80 | (num & 0x7F))
        num >>= 7
    out.append(num)
    return bytes(out)


def var_int(num: int) -> bytes:
    """lib0 writeVarInt: sign in bit 6 of the first byte, six value bits there."""
    sign, num = (0x40, -num) if num < 0 else (0, num)
    out = bytearray([(0x80 if num > 0x3F else 0) | sign | (num & 0x3F)])
    num >>= 6
    while num > 0:
        out.append((0x80 if num > 0x7F else 0) | (num & 0x7F))
        num >>= 7
    return bytes(out)


def var_bytes(data: bytes) -> bytes:
    return var_uint(len(data)) + data


def var_string(text: str) -> bytes:
    return var_bytes(text.encode("utf-8"))


def any_value(value: Any) -> bytes:
    """lib0 writeAny for None, bool, int, float, str, bytes, list and dict."""
    if value is None:
        return b"\x7e"
    if value is True or value is False:
        return b"\x78" if value else b"\x79"
    if isinstance(value, int):
        return b"\x7d" + var_int(value)
    if isinstance(value, float):
        return b"\x7b" + struct.pack(">d", value)
    if isinstance(value, str):
        return b"\x77" + var_string(value)
    if isinstance(value, bytes):
        return b"\x74" + var_bytes(value)
    if isinstance(value, list):
        return b"\x75" + var_uint(len(value)) + b"".join(map(any_value, value))
    if isinstance(value, dict):
        body = b"".join(var_string(k) + any_value(v) for k, v in value.items())
        return b"\x76" + var_uint(len(value)) + body
    raise TypeError(f"cannot encode {type(value).__name__} as Any")


def deep_any(depth: int, leaf: bytes = b"\x7e") -> bytes:
    """An Any array holding an array ... `depth` levels deep, built without recursion."""
    return b"\x75\x01" * depth + leaf


def deep_json(depth: int) -> str:
    return "[" * depth + "]" * depth


# Content bodies: what follows an item's parent information.


def string(text: str) -> tuple[int, bytes]:
    return STRING, var_string(text)


def anys(*values: Any) -> tuple[int, bytes]:
    return ANY, var_uint(len(values)) + b"".join(map(any_value, values))


def raw_any(count: int, body: bytes) -> tuple[int, bytes]:
    return ANY, var_uint(count) + body


def deleted(length: int) -> tuple[int, bytes]:
    return DELETED, var_uint(length)


def binary(data: bytes) -> tuple[int, bytes]:
    return BINARY, var_bytes(data)


def embed(json_text: str) -> tuple[int, bytes]:
    return EMBED, var_string(json_text)


def fmt(key: str, json_text: str) -> tuple[int, bytes]:
    return FORMAT, var_string(key) + var_string(json_text)


def json_content(*texts: str) -> tuple[int, bytes]:
    return JSON, var_uint(len(texts)) + b"".join(map(var_string, texts))


def ytype(ref: int, name: str | None = None) -> tuple[int, bytes]:
    return TYPE, var_uint(ref) + (var_string(name) if name is not None else b"")


def subdoc(guid: str, opts: Mapping[str, Any]) -> tuple[int, bytes]:
    return DOC, var_string(guid) + any_value(dict(opts))


def item(
    content: tuple[int, bytes],
    *,
    origin: ID | None = None,
    right: ID | None = None,
    parent: str | ID | None = None,
    sub: str | None = None,
) -> bytes:
    """One Item struct; `parent` (root name or ID) is written only without origins."""
    kind, body = content
    info = kind | (HAS_ORIGIN if origin else 0) | (HAS_RIGHT_ORIGIN if right else 0)
    info |= HAS_PARENT_SUB if sub is not None else 0
    out = bytearray([info])
    for ref in (origin, right):
        if ref is not None:
            out += var_uint(ref[0]) + var_uint(ref[1])
    if origin is None and right is None:
        if isinstance(parent, str):
            out += var_uint(1) + var_string(parent)
        elif parent is not None:
            out += var_uint(0) + var_uint(parent[0]) + var_uint(parent[1])
        else:
            raise ValueError("an item without origins needs a parent")
        if sub is not None:
            out += var_string(sub)
    return bytes(out + body)


def gc(length: int) -> bytes:
    return b"\x00" + var_uint(length)


def skip(length: int) -> bytes:
    return b"\x0a" + var_uint(length)


Block = tuple[int, int, Sequence[bytes]]


def update(
    blocks: Iterable[Block] = (),
    deletes: Mapping[int, Sequence[tuple[int, int]]] | None = None,
) -> bytes:
    """A v1 update: (client, first clock, structs) blocks, then the delete set."""
    blocks = list(blocks)
    out = bytearray(var_uint(len(blocks)))
    for client, clock, structs in blocks:
        out += var_uint(len(structs)) + var_uint(client) + var_uint(clock)
        out += b"".join(structs)
    return bytes(out + delete_set(deletes or {}))


def delete_set(deletes: Mapping[int, Sequence[tuple[int, int]]]) -> bytes:
    out = bytearray(var_uint(len(deletes)))
    for client, ranges in deletes.items():
        out += var_uint(client) + var_uint(len(ranges))
        for clock, length in ranges:
            out += var_uint(clock) + var_uint(length)
    return bytes(out)


def state_vector(state: Mapping[int, int]) -> bytes:
    out = bytearray(var_uint(len(state)))
    for client, clock in state.items():
        out += var_uint(client) + var_uint(clock)
    return bytes(out)


def text_insert(client: int, clock: int, text: str, origin: ID | None = None) -> bytes:
    """A keystroke-sized update: `text` into root Text "t" after `origin`."""
    if origin is None:
        return update([(client, clock, [item(string(text), parent="t")])])
    return update([(client, clock, [item(string(text), origin=origin)])])


def dumps_compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))
