"""Presence (Yjs awareness) as the server allows it: decode, clean, encode.

Pure functions over bytes, no Flask and no sockets. A member's awareness
update is decoded with bounds, each state is rebuilt from the fields editors
need (`cursor`, as y-prosemirror and y-codemirror write it), and its `user`
is replaced by the identity the server knows: a name, a role label and a
colour from a fixed palette. Nothing a client says about itself reaches
another person's browser except where its cursor is.

The awareness encoding (y-protocols): varuint count, then per client a
varuint client id, a varuint clock and a JSON state string (`null` when the
client left).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pycrdt import YMessageType, create_awareness_message

from realtime.protocol import BadMessage, Reader, var_uint

# GOV.UK colours that pass 4.5:1 with white text and as a 2px caret on white.
PALETTE = (
    "#1d70b8",
    "#00703c",
    "#d4351c",
    "#4c2c92",
    "#912b88",
    "#b1400b",
    "#005a30",
    "#003078",
)
MAX_STATE_BYTES = 4096
MAX_ENTRIES = 8  # a client sends its own state; y-protocols batches a few
MAX_CLIENT_ID = 2**53 - 1  # a JSON-safe integer, as Yjs client ids are
MAX_NAME = 200


@dataclass(frozen=True)
class Identity:
    """Who a member is, as others see them."""

    person_id: int
    name: str
    role: str

    @property
    def user(self) -> dict[str, str]:
        """The awareness `user` field the server puts in every state."""
        color = PALETTE[self.person_id % len(PALETTE)]
        # Valid UTF-8 whatever the name holds, so `encode` can write it.
        name = self.name[:MAX_NAME].encode("utf-8", "replace").decode("utf-8")
        # colorLight: the selection tint y-codemirror.next reads.
        return {
            "name": name,
            "role": self.role,
            "color": color,
            "colorLight": color + "33",
        }


@dataclass(frozen=True)
class Entry:
    """One client's presence: its clock and state (None: it left)."""

    client_id: int
    clock: int
    state: dict[str, Any] | None


def decode(frame: bytes) -> list[Entry]:
    """Decode an awareness frame (varuint 1, then the update) with bounds."""
    reader = Reader(frame)
    if reader.var_uint() != YMessageType.AWARENESS:
        raise BadMessage(
            "An `awareness` event must carry an awareness frame (first byte 1)."
        )
    inner = Reader(reader.var_bytes())
    reader.done()
    count = inner.var_uint()
    if count > MAX_ENTRIES:
        raise BadMessage(
            f"A presence update may carry at most {MAX_ENTRIES} client states."
        )
    entries = [_entry(inner) for _ in range(count)]
    inner.done()
    return entries


def _entry(reader: Reader) -> Entry:
    client_id, clock = reader.var_uint(), reader.var_uint()
    if client_id > MAX_CLIENT_ID or clock > MAX_CLIENT_ID:
        raise BadMessage("A presence update has a client id or clock out of range.")
    raw = reader.var_bytes()
    if len(raw) > MAX_STATE_BYTES:
        raise BadMessage(
            f"A presence state is too large ({len(raw)} bytes; "
            f"the limit is {MAX_STATE_BYTES})."
        )
    try:
        state = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        raise BadMessage("A presence state must be JSON text.") from None
    if state is not None and not isinstance(state, dict):
        raise BadMessage("A presence state must be a JSON object or null.")
    return Entry(client_id, clock, state)


def clean(state: dict[str, Any] | None, identity: Identity) -> dict[str, Any] | None:
    """The state others may see: the server's `user`, and a well-formed cursor."""
    if state is None:
        return None
    out: dict[str, Any] = {"user": identity.user}
    cursor = _cursor(state.get("cursor"))
    if cursor is not None:
        out["cursor"] = cursor
    return out


def _cursor(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        return None
    anchor, head = _position(value.get("anchor")), _position(value.get("head"))
    if anchor is None or head is None:
        return None
    return {"anchor": anchor, "head": head}


def _position(value: Any) -> dict[str, Any] | None:
    """A Yjs relative position as `Y.relativePositionToJSON` writes it."""
    if not isinstance(value, dict):
        return None
    out: dict[str, Any] = {}
    # y-prosemirror sends the RelativePosition object itself, whose absent
    # parts are null rather than missing.
    for key in ("type", "item"):
        if value.get(key) is not None:
            ident = _id(value[key])
            if ident is None:
                return None
            out[key] = ident
    tname = value.get("tname")
    if tname is not None:
        # A root type's name is UTF-8 on the wire: a lone surrogate names none.
        if not isinstance(tname, str) or len(tname) > MAX_NAME or _surrogate(tname):
            return None
        out["tname"] = tname
    assoc = value.get("assoc")
    if assoc is not None:
        if not _is_int(assoc) or not -(2**31) <= assoc < 2**31:
            return None
        out["assoc"] = assoc
    return out


def _id(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        return None
    client, clock = value.get("client"), value.get("clock")
    if not (_in_range(client) and _in_range(clock)):
        return None
    return {"client": client, "clock": clock}


def _in_range(value: Any) -> bool:
    return _is_int(value) and 0 <= value <= MAX_CLIENT_ID


def _surrogate(text: str) -> bool:
    return any("\ud800" <= char <= "\udfff" for char in text)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def encode(entries: list[Entry]) -> bytes:
    """An awareness frame (varuint 1, then the update) for these entries."""
    parts = [var_uint(len(entries))]
    for entry in entries:
        # UTF-8 rather than \u escapes (as JSON.stringify writes it): a cleaned
        # state then stays within MAX_STATE_BYTES, so it decodes here too.
        text = json.dumps(
            entry.state, ensure_ascii=False, separators=(",", ":")
        ).encode("utf-8")
        parts += [var_uint(entry.client_id), var_uint(entry.clock)]
        parts += [var_uint(len(text)), text]
    return create_awareness_message(b"".join(parts))


def removal(clocks: dict[int, int]) -> bytes:
    """An awareness frame saying these clients left (state null, clock + 1)."""
    return encode([Entry(c, clock + 1, None) for c, clock in clocks.items()])
