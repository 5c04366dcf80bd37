"""Check a Yjs v1 update in pure Python before pycrdt (yrs) sees it.

yrs trusts what it decodes, and a native crash takes every room of the process
with it (../shared/notes/realtime.md, "Hostile updates"): a delete range of
2**53 and then an item at clock 2**32 - 2 panics, an Any value 40,000 levels
deep overflows the native stack. `check_update` decodes the whole update with
bounds (lib0, content and Any values in `yany`), then simulates the order in
which Yjs integrates structs against the receiving document's state vector, and
checks what structs refer to (`ycontent`). An update that passes has no gaps,
no references to or deletes of content the document lacks, and nothing that
Yjs and yrs would decode differently. Some checks need to know what earlier
updates added: pass a `DocIndex` to `check_update` and `advance` for those.

Errors (each `str()` is a short sentence for people)::

    InvalidUpdate (ValueError)   refused: malformed, too large or too deep
    └── MissingDependency        well-formed, but needs content `state` lacks;
                                 catch up from the database and check again
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from portal.doclog.yany import CONTENT, STRING, TYPE, InvalidUpdate, Reader, malformed
from portal.doclog.ycontent import (
    GC,
    ID,
    SKIP,
    DocIndex,
    Locator,
    Nesting,
    Parent,
    Place,
    Run,
    Struct,
    check_splits,
    integration_order,
    new_runs,
    pair_starts_of,
)

__all__ = [
    "DEFAULT_LIMITS",
    "DocIndex",
    "InvalidUpdate",
    "Limits",
    "MissingDependency",
    "UpdateSummary",
    "advance",
    "check_update",
    "decode_state_vector",
]

MISSING = "That change refers to text the server does not have yet."
MISSING_DELETE = "That change deletes text the server does not have yet."
BAD_STATE = "That sync request is malformed."
HAS_ORIGIN, HAS_RIGHT_ORIGIN, HAS_PARENT_SUB = 0x80, 0x40, 0x20


class MissingDependency(InvalidUpdate):
    """Well-formed, but refers to content the given state does not hold (a caller may catch up from the database and check again)."""


@dataclass(frozen=True)
class Limits:
    """What one update may hold; the defaults suit an EHCP section."""

    max_depth: int = 16  # nesting of Any / JSON / embed values (objects and arrays)
    max_clock: int = 2**31  # no clock or clock+length may reach this
    max_structs: int = 200_000
    max_string_bytes: int = 1_048_576  # one string content / key / root name
    max_root_name: int = 100  # characters in a root type name
    allow_subdocuments: bool = False  # ContentDoc refused unless True
    max_delete_ranges: int = 200_000
    # Shared types inside shared types: within the update, or in the document
    # when a DocIndex is given. ProseMirror nests a few dozen; Yjs fails near 3,000.
    max_type_depth: int = 100

    def __post_init__(self) -> None:
        if not 0 < self.max_clock <= 2**31:
            raise ValueError(
                "Limits.max_clock must be between 1 and 2**31: yrs keeps clocks in "
                "32 bits and subtracts them as signed integers."
            )
        if not 0 <= self.max_depth <= 500:
            raise ValueError(
                "Limits.max_depth must be between 0 and 500, well under Python's "
                "recursion limit, which json.loads uses."
            )


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class UpdateSummary:
    """What an accepted update adds: per-client end clocks and how much it holds."""

    ends: dict[int, int]  # client id -> clock after this update's structs
    structs: int  # GC and Item structs (Skip structs carry nothing)
    deletes: int  # number of delete-set ranges
    types: dict[ID, int] = field(default_factory=dict)  # new type items' depths
    pair_starts: frozenset[ID] = frozenset()  # IDs of high surrogates in strings
    runs: tuple[Run, ...] = ()  # places of new clocks (only with a DocIndex)

    @property
    def is_empty(self) -> bool:
        """No structs and no deletes: applying it changes nothing."""
        return not self.structs and not self.deletes


def check_update(
    update: bytes,
    state: Mapping[int, int],
    limits: Limits = DEFAULT_LIMITS,
    *,
    index: DocIndex | None = None,
) -> UpdateSummary:
    """Raise InvalidUpdate unless `update` is safe to apply to a doc at `state`.

    With `index` (see `DocIndex`), type nesting, parents and surrogate pairs
    are also checked against what earlier updates added, not just this one.
    """
    reader = Reader(update)
    blocks = _read_structs(reader, limits)
    deletes = _read_delete_set(reader, limits)
    reader.done()
    order = integration_order(blocks, state)
    if order is None:
        raise MissingDependency(MISSING)
    ends = {c: end for c, structs in blocks.items() if (end := _end_of(structs))}
    for client, _start, end in deletes:
        if end > max(ends.get(client, 0), state.get(client, 0)):
            raise MissingDependency(MISSING_DELETE)
    pairs = pair_starts_of(blocks, state)
    if any(s.pairs for structs in blocks.values() for s in structs) or (
        index is not None and index.pair_starts
    ):
        check_splits(blocks, state, deletes, _is_high(pairs, index))
    types, places = _resolve(blocks, order, state, index, limits)
    runs = tuple(new_runs(blocks, state, places)) if index is not None else ()
    return UpdateSummary(ends, len(order), len(deletes), types, pairs, runs)


def decode_state_vector(data: bytes, limits: Limits = DEFAULT_LIMITS) -> dict[int, int]:
    """Decode a state vector (client id -> next expected clock), refusing junk."""
    reader = Reader(data)
    state: dict[int, int] = {}
    try:
        for _ in range(reader.count(2)):
            client, clock = reader.var_uint(), reader.var_uint()
            if client in state or clock >= limits.max_clock:
                raise malformed()
            state[client] = clock
        reader.done()
    except InvalidUpdate:
        raise InvalidUpdate(BAD_STATE) from None
    return state


def advance(
    state: dict[int, int], summary: UpdateSummary, index: DocIndex | None = None
) -> None:
    """Move `state` (and `index`) to what the document holds after applying."""
    for client, end in summary.ends.items():
        if end > state.get(client, 0):
            state[client] = end
    if index is not None:
        index.extend(summary.types, summary.pair_starts, summary.runs)


def _end_of(structs: list[Struct]) -> int:
    """The clock after a block's last struct that is not a Skip (0 if none)."""
    return next((s.end for s in reversed(structs) if s.kind != SKIP), 0)


def _is_high(pairs: frozenset[ID], index: DocIndex | None) -> Callable[[ID], bool]:
    if index is None or not index.pair_starts:
        return pairs.__contains__
    known = index.pair_starts
    return lambda ref: ref in pairs or ref in known


def _resolve(
    blocks: dict[int, list[Struct]],
    order: list[Struct],
    state: Mapping[int, int],
    index: DocIndex | None,
    limits: Limits,
) -> tuple[dict[ID, int], dict[ID, Place | None]]:
    """Places and new type depths, unless nothing here could need them."""
    if index is None and not any(_needs_parents(s, state) for s in order):
        return {}, {}
    nesting = Nesting(Locator(blocks, state), index, limits.max_type_depth)
    for struct in order:
        nesting.add(struct)
    return nesting.depths, nesting.places


def _needs_parents(struct: Struct, state: Mapping[int, int]) -> bool:
    """Whether `struct` is a type or map entry, names a parent ID, has both
    origins, or overlaps known clocks."""
    return (
        struct.kind == TYPE
        or isinstance(struct.parent, tuple)
        or struct.sub is not None
        or (struct.origin is not None and struct.right is not None)
        or struct.clock < state.get(struct.client, 0) < struct.end
    )


def _read_structs(reader: Reader, limits: Limits) -> dict[int, list[Struct]]:
    blocks: dict[int, list[Struct]] = {}
    budget = limits.max_structs
    for _ in range(reader.count(4)):
        count = reader.count(2)
        budget -= count
        if budget < 0:
            raise InvalidUpdate(
                f"That change is too large (more than {limits.max_structs} parts)."
            )
        client, clock = reader.var_uint(), _clock(reader, limits)
        # Yjs keeps the last block of a client and yrs joins them: refuse both.
        if client in blocks or not count:
            raise malformed()
        structs = blocks[client] = []
        for _ in range(count):
            struct = _read_struct(reader, client, clock, limits)
            structs.append(struct)
            clock = struct.end
    return blocks


def _read_struct(reader: Reader, client: int, clock: int, limits: Limits) -> Struct:
    info = reader.u8()
    kind = info & 0x1F
    if kind == GC or kind == SKIP:
        # yrs reads a GC or Skip with any flag bit set as an Item.
        if info != kind:
            raise malformed()
        return Struct(client, clock, _end(clock, reader.var_uint(), limits), kind)
    if kind != STRING and kind not in CONTENT:
        raise malformed()
    origin = _id(reader, limits) if info & HAS_ORIGIN else None
    right = _id(reader, limits) if info & HAS_RIGHT_ORIGIN else None
    parent: Parent = None
    sub: str | None = None
    if not info & (HAS_ORIGIN | HAS_RIGHT_ORIGIN):
        parent = _parent(reader, limits)
        if info & HAS_PARENT_SUB:
            sub = reader.var_string(limits.max_string_bytes)
    for ref in (origin, right, parent):
        # Same-client content is integrated in clock order: only earlier clocks exist.
        if isinstance(ref, tuple) and ref[0] == client and ref[1] >= clock:
            raise malformed()
    pairs: tuple[int, ...] = ()
    if kind == STRING:
        length, pairs = reader.utf16_string(limits.max_string_bytes)
    else:
        length = CONTENT[kind](reader, limits)
    end = _end(clock, length, limits)
    return Struct(client, clock, end, kind, origin, right, parent, sub, pairs)


def _parent(reader: Reader, limits: Limits) -> str | ID:
    is_root = reader.var_uint()
    if is_root == 0:
        return _id(reader, limits)
    if is_root != 1:  # Yjs tests `=== 1`, yrs wraps the number at 32 bits first
        raise malformed()
    name = reader.var_string(limits.max_string_bytes)
    if len(name) > limits.max_root_name:
        raise InvalidUpdate(
            f"That change names a part longer than {limits.max_root_name} characters."
        )
    return name


def _id(reader: Reader, limits: Limits) -> ID:
    return reader.var_uint(), _clock(reader, limits)


def _clock(reader: Reader, limits: Limits) -> int:
    clock = reader.var_uint()
    if clock >= limits.max_clock:
        raise _out_of_range()
    return clock


def _end(clock: int, length: int, limits: Limits) -> int:
    if length < 1:  # yrs drops empty items without advancing the clock; Yjs does not
        raise malformed()
    if clock + length >= limits.max_clock:
        raise _out_of_range()
    return clock + length


def _out_of_range() -> InvalidUpdate:
    return InvalidUpdate(
        "That change goes past the largest position a document may have."
    )


def _read_delete_set(reader: Reader, limits: Limits) -> list[tuple[int, int, int]]:
    """Return the delete ranges as (client, start clock, end clock)."""
    ranges: list[tuple[int, int, int]] = []
    seen: set[int] = set()
    for _ in range(reader.count(2)):
        client = reader.var_uint()
        if client in seen:  # Yjs appends a repeated client's ranges, yrs replaces them
            raise malformed()
        seen.add(client)
        count = reader.count(2)
        if len(ranges) + count > limits.max_delete_ranges:
            raise InvalidUpdate(
                f"That change deletes too many ranges (more than {limits.max_delete_ranges})."
            )
        for _ in range(count):
            start = _clock(reader, limits)
            ranges.append((client, start, _end(start, reader.var_uint(), limits)))
    return ranges
