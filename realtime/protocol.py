"""The `/collab` wire format: event payloads and y-protocols frames.

Pure functions over bytes and dicts, no Flask and no sockets, so every
envelope a hostile or buggy client can send is checked in one place; the
Yjs bytes inside are checked by `portal.doclog.yupdate`. See
docs/realtime-protocol.md for the contract the browser provider follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pycrdt import YMessageType, YSyncMessageType

STEP1 = YSyncMessageType.SYNC_STEP1
STEP2 = YSyncMessageType.SYNC_STEP2
UPDATE = YSyncMessageType.SYNC_UPDATE


class BadMessage(Exception):
    """A message the server cannot use; `str()` is shown to the sender."""


@dataclass(frozen=True)
class Payload:
    """A checked event payload: `{"doc": ID}` or `{"doc": ID, "data": bytes}`."""

    doc_id: int
    data: bytes = b""


@dataclass(frozen=True)
class SyncMessage:
    """One y-protocols sync message: step 1 carries a state vector, the others an update."""

    kind: YSyncMessageType
    body: bytes


def parse_payload(raw: Any, *, with_data: bool, max_bytes: int = 0) -> Payload:
    """Check an event's shape and return its document id (and data)."""
    if not isinstance(raw, dict):
        raise BadMessage('Send an object such as {"doc": 12}.')
    doc_id = raw.get("doc")
    if isinstance(doc_id, bool) or not isinstance(doc_id, int) or doc_id <= 0:
        raise BadMessage('"doc" must be a document id (a positive whole number).')
    if not with_data:
        return Payload(doc_id)
    data = raw.get("data")
    if not isinstance(data, bytes | bytearray | memoryview):
        raise BadMessage('"data" must be binary (a y-protocols message).')
    data = bytes(data)
    if max_bytes and len(data) > max_bytes:
        raise BadMessage(
            f"That change is too large ({len(data)} bytes; the limit is {max_bytes})."
        )
    return Payload(doc_id, data)


class Reader:
    """A bounds-checked lib0 decoder (pycrdt's Decoder trusts lengths)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def var_uint(self) -> int:
        value, shift = 0, 0
        while True:
            if self.pos >= len(self.data) or shift > 63:
                raise BadMessage("The message is truncated or malformed.")
            byte = self.data[self.pos]
            self.pos += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value

    def var_bytes(self) -> bytes:
        length = self.var_uint()
        if self.pos + length > len(self.data):
            raise BadMessage("The message is truncated or malformed.")
        chunk = self.data[self.pos : self.pos + length]
        self.pos += length
        return chunk

    def var_string(self) -> str:
        try:
            return self.var_bytes().decode("utf-8")
        except UnicodeDecodeError:
            raise BadMessage("The message holds text that is not UTF-8.") from None

    def done(self) -> None:
        if self.pos != len(self.data):
            raise BadMessage("The message has unexpected trailing bytes.")


def parse_sync(frame: bytes) -> SyncMessage:
    """Split a y-websocket sync frame (varuint 0, sync type, varbytes body)."""
    reader = Reader(frame)
    if reader.var_uint() != YMessageType.SYNC:
        raise BadMessage("A `sync` event must carry a sync frame (first byte 0).")
    kind = reader.var_uint()
    if kind not in (STEP1, STEP2, UPDATE):
        raise BadMessage(f"Unknown sync message type {kind}.")
    body = reader.var_bytes()
    reader.done()
    return SyncMessage(YSyncMessageType(kind), body)


def var_uint(num: int) -> bytes:
    """lib0's unsigned varint encoding."""
    out = bytearray()
    while num > 0x7F:
        out.append(0x80 | (num & 0x7F))
        num >>= 7
    out.append(num)
    return bytes(out)
