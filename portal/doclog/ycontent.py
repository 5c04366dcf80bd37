"""What structs refer to: the order Yjs integrates them in, places, nesting.

`integration_order` needs only the state vector. But a state vector says
which clocks a document holds, not what they are, and these
hazards need more (measured against yrs 0.28 in pycrdt 0.14.13 and Yjs 13.6 in
Node; tests/doclog/test_yupdate_index.py shows each):

- Shared types nested deeply: Yjs overflows its stack at about 3,000 levels
  (toJSON, delete) and yrs segfaults at about 20,000.
- A parent ID naming an item that is not a shared type: yrs fails part way
  through applying ("block parent must be deleted or shared ref type").
- Neighbours in different places (parent and map key): Yjs links the item
  into two lists and later overflows its stack or throws. Likewise a map entry
  longer than 1, which Yjs can split and then fails to delete ("Unexpected case").
- A reference or delete boundary between the halves of a surrogate pair: Yjs
  turns both halves into U+FFFD, yrs keeps the char whole but the UTF-16
  lengths, so the document's clocks and its reloaded copy drift apart.

Within one update `check_update` sees all of it. Across updates it needs a
`DocIndex` to which every accepted update of the document was added.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from portal.doclog.yany import DELETED, TYPE, InvalidUpdate, malformed

ID = tuple[int, int]
Parent = str | ID | None  # a root name, the ID of a type item, or not known
Place = tuple[Parent, str | None]  # the parent, and the map key (None in a list)
Run = tuple[int, int, Place | None]  # client, first clock, place from there on
GC, SKIP = 0, 10
SPLITS_CHARACTER = "That change would split a character (such as an emoji) in two."


class Struct(NamedTuple):
    """One decoded struct: its ID range, kind, references and surrogate pairs."""

    client: int
    clock: int
    end: int
    kind: int
    origin: ID | None = None
    right: ID | None = None
    parent: Parent = None
    sub: str | None = None  # the map key, when written with the parent
    pairs: tuple[int, ...] = ()  # UTF-16 offsets of high surrogates in a string


@dataclass
class DocIndex:
    """What a document holds beyond its state vector, for `check_update`.

    Start it empty with the document, and pass it with every accepted update to
    `advance` (a snapshot counts: check it against an empty state). An index
    that missed updates refuses good ones as malformed.
    """

    type_depths: dict[ID, int] = field(default_factory=dict)  # 1 = in a root
    pair_starts: set[ID] = field(default_factory=set)  # high surrogates' IDs
    runs: dict[int, tuple[list[int], list[Place | None]]] = field(default_factory=dict)

    def place_of(self, ref: ID) -> Place | None:
        """The place of the item holding `ref`, if the index knows it."""
        if ref[0] not in self.runs:
            return None
        starts, places = self.runs[ref[0]]
        at = bisect_right(starts, ref[1]) - 1
        return places[at] if at >= 0 else None

    def covers(self, ref: ID) -> bool:
        """Whether the index has seen the clock `ref` (so knows if it is a type)."""
        starts = self.runs[ref[0]][0] if ref[0] in self.runs else []
        return bool(starts) and starts[0] <= ref[1]

    def extend(
        self, types: Mapping[ID, int], pair_starts: Iterable[ID], runs: Iterable[Run]
    ) -> None:
        """Remember what one accepted update added."""
        self.type_depths.update(types)
        self.pair_starts.update(pair_starts)
        for client, start, place in runs:
            starts, places = self.runs.setdefault(client, ([], []))
            if not starts or (start > starts[-1] and place != places[-1]):
                starts.append(start)
                places.append(place)


def integration_order(
    blocks: Mapping[int, list[Struct]], state: Mapping[int, int]
) -> list[Struct] | None:
    """The structs in the order Yjs's integrateStructs takes them; None if stuck.

    Stuck means some struct needs clocks that neither `state` nor the update
    holds. A struct integrates once its client's earlier structs have and everything
    it refers to is known. A blocked client waits on a heap of the client it
    needs, keyed by the clock it needs, so the simulation stays O(n log n).
    """
    known: dict[int, int] = {}  # clocks this update has reached, over `state`
    waiting: dict[int, list[tuple[int, int]]] = {}
    index = dict.fromkeys(blocks, 0)
    ready = sorted(blocks)
    order: list[Struct] = []
    while ready:
        client = ready.pop()
        structs, i = blocks[client], index[client]
        while i < len(structs):
            struct = structs[i]
            if struct.kind != SKIP:
                have = known[client] if client in known else state.get(client, 0)
                if struct.clock > have:  # only this block could fill the gap
                    return None
                need = _first_unknown(struct, known, state)
                if need is not None:
                    heapq.heappush(waiting.setdefault(need[0], []), (need[1], client))
                    break
                order.append(struct)
                if struct.end > have:
                    known[client] = struct.end
                    _wake(waiting.get(client), struct.end, ready)
            i += 1
        index[client] = i
    if any(index[client] < len(structs) for client, structs in blocks.items()):
        return None
    return order


def _first_unknown(
    struct: Struct, known: dict[int, int], state: Mapping[int, int]
) -> ID | None:
    for ref in (struct.origin, struct.right, struct.parent):
        if isinstance(ref, tuple) and ref[0] != struct.client:
            client, clock = ref
            if clock >= (known[client] if client in known else state.get(client, 0)):
                return ref
    return None


def _wake(heap: list[tuple[int, int]] | None, clock: int, ready: list[int]) -> None:
    while heap and heap[0][0] < clock:
        ready.append(heapq.heappop(heap)[1])


class Locator:
    """Find the struct of one update that adds an ID (bisect per client).

    Clocks below `state` are the document's, whatever the update re-sends for
    them (Yjs and yrs skip known clocks), so they are never found here.
    """

    def __init__(
        self, blocks: Mapping[int, list[Struct]], state: Mapping[int, int]
    ) -> None:
        self.blocks = blocks
        self.state = state
        self.starts = {c: [s.clock for s in structs] for c, structs in blocks.items()}

    def __call__(self, ref: ID) -> Struct | None:
        structs = self.blocks.get(ref[0])
        if not structs or ref[1] < self.state.get(ref[0], 0):
            return None
        struct = structs[bisect_right(self.starts[ref[0]], ref[1]) - 1]
        inside = struct.clock <= ref[1] < struct.end and struct.kind != SKIP
        return struct if inside else None


@dataclass
class Nesting:
    """Places and type depths of one update's structs, resolved in order."""

    locate: Locator
    index: DocIndex | None
    max_depth: int
    places: dict[ID, Place | None] = field(default_factory=dict)
    depths: dict[ID, int] = field(default_factory=dict)  # new type items

    def add(self, struct: Struct) -> None:
        """Resolve `struct`, whose references all come earlier in the order.

        A struct the document already holds is only checked: yrs still
        resolves its parent before it skips it.
        """
        is_new = struct.end > self.locate.state.get(struct.client, 0)
        if struct.kind == GC:  # no place: Yjs turns neighbours of a GC into GCs
            if is_new:
                self.places[struct.client, struct.clock] = None
            return
        left = self._place_at(struct.origin)
        right = self._place_at(struct.right) if struct.right is not None else None
        place: Place | None = (struct.parent, struct.sub)
        if struct.parent is None:  # Yjs takes the left neighbour's, else the right's
            place = left if struct.origin is not None else right
        parent = place[0] if place else None
        depth = self._type_depth(parent) if isinstance(parent, tuple) else 0
        self._check_place(struct, place, left, right)
        if not is_new:
            return
        self.places[struct.client, struct.clock] = place
        if struct.kind == TYPE:
            if depth + 1 > self.max_depth:
                raise InvalidUpdate(
                    "That change nests shared types too deeply "
                    f"(more than {self.max_depth} levels)."
                )
            self.depths[struct.client, struct.clock] = depth + 1

    def _check_place(
        self,
        struct: Struct,
        place: Place | None,
        left: Place | None,
        right: Place | None,
    ) -> None:
        """Refuse what Yjs would link into two lists, or split in a map.

        The left and right origins must share a place. A struct overlapping
        known clocks is linked after the known clock before its new part (Yjs
        Item.integrate with an offset), so that clock must share its place.
        Yjs writes a live map entry as one item of length 1 (overwritten ones
        merge into longer Deleted items).
        """
        keyed = place is not None and place[1] is not None
        if keyed and struct.end - struct.clock > 1 and struct.kind != DELETED:
            raise malformed()
        if left is not None and right is not None and left != right:
            raise malformed()
        have = self.locate.state.get(struct.client, 0)
        if self.index is not None and struct.clock < have < struct.end:
            known = self.index.place_of((struct.client, have - 1))
            if known is None or known != place:
                raise malformed()

    def _place_at(self, ref: ID | None) -> Place | None:
        """The place of the item holding `ref`, from this update or the index."""
        if ref is None:
            return None
        found = self.locate(ref)
        if found is not None:  # new in this update, so resolved earlier
            return self.places.get((found.client, found.clock))
        return self.index.place_of(ref) if self.index else None

    def _type_depth(self, parent: ID) -> int:
        """How deep the type `parent` is; refuse a parent that is not a type."""
        holder = self.locate(parent)
        if holder is not None:
            if holder.kind not in (TYPE, DELETED):
                raise malformed()
            key = (holder.client, holder.clock)
            if key in self.depths:
                return self.depths[key]
            if holder.kind == DELETED:
                return 0
            # A type this update re-sends, already known: the index has its depth.
        if self.index is None:
            return 0
        depth = self.index.type_depths.get(parent)
        if depth is None and self.index.covers(parent):
            raise malformed()
        return depth or 0


def new_runs(
    blocks: Mapping[int, list[Struct]],
    state: Mapping[int, int],
    places: Mapping[ID, Place | None],
) -> list[Run]:
    """The place runs for clocks this update adds, in clock order per client."""
    runs: list[Run] = []
    for client, structs in blocks.items():
        have = state.get(client, 0)
        for struct in structs:
            if struct.kind != SKIP and struct.end > have:
                place = places.get((struct.client, struct.clock))
                runs.append((client, max(struct.clock, have), place))
    return runs


def pair_starts_of(
    blocks: Mapping[int, list[Struct]], state: Mapping[int, int]
) -> frozenset[ID]:
    """The IDs of the high surrogates in the strings this update adds."""
    return frozenset(
        (s.client, s.clock + offset)
        for structs in blocks.values()
        for s in structs
        if s.pairs
        for offset in s.pairs
        if s.clock + offset >= state.get(s.client, 0)
    )


def check_splits(
    blocks: Mapping[int, list[Struct]],
    state: Mapping[int, int],
    deletes: Iterable[tuple[int, int, int]],
    is_high: Callable[[ID], bool],
) -> None:
    """Refuse references and delete boundaries that fall inside a surrogate pair.

    An origin names the last unit kept on the left, a right origin the first on
    the right, a delete range cuts before its start and its end, and a struct
    overlapping known clocks has its own string cut where the known ones stop.
    """
    for client, structs in blocks.items():
        have = state.get(client, 0)
        for s in structs:
            cut = s.clock < have < s.end and have - 1 - s.clock in s.pairs
            if (
                cut
                or (s.origin is not None and is_high(s.origin))
                or (s.right is not None and is_high((s.right[0], s.right[1] - 1)))
            ):
                raise InvalidUpdate(SPLITS_CHARACTER)
    for client, start, end in deletes:
        if is_high((client, start - 1)) or is_high((client, end - 1)):
            raise InvalidUpdate(SPLITS_CHARACTER)
