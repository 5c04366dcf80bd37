"""Random well-formed Yjs updates with hostile choices, for the fuzz rounds.

Each update is written against a document's state vector: block starts and
references land on, just before and just past the known clocks, content covers
every kind (with values at and over the depth limit), parents are root names or
IDs of whatever is there (types or not), and delete ranges straddle the ends.
"""

from __future__ import annotations

import random
from typing import Any

from tests.doclog import yencode as y

ROOTS = ("t", "m", "a", "x", "other", "")
KEYS = ("k", "bold", "align", "", "ñ")
TEXTS = ("a", "hello", "😀", "ñ😀x", "", "line\nbreak")
NEW_CLIENTS = (1, 7, 2**31 - 1, 2**32 - 1, 2**53 - 1)


def generate(rng: random.Random, state: dict[int, int]) -> bytes:
    """A random update against a document whose state vector is `state`."""
    # Half the updates avoid every refusal a struct can trigger by itself, so
    # that they reach the dependency rules and pycrdt.
    clean = rng.random() < 0.5
    candidates = sorted(state) + [rng.choice(NEW_CLIENTS)]
    chosen = rng.sample(candidates, k=rng.randint(1, min(3, len(candidates))))
    blocks = []
    for client in chosen:
        start = max(0, state.get(client, 0) + rng.choice((0, 0, 0, 0, -1, -2, 1)))
        clock, structs = start, []
        for _ in range(rng.randint(1, 5)):
            struct, length = _struct(rng, client, clock, state, chosen, clean)
            structs.append(struct)
            clock += length
        blocks.append((client, start, structs))
    return y.update(blocks, _deletes(rng, state, chosen) if rng.random() < 0.4 else {})


def _struct(
    rng: random.Random,
    client: int,
    clock: int,
    state: dict[int, int],
    chosen: list[int],
    clean: bool,
) -> tuple[bytes, int]:
    roll = rng.random()
    if roll < 0.06:
        length = rng.randint(1, 3)
        return y.gc(length), length
    if roll < 0.12:
        length = rng.randint(1, 3)
        return y.skip(length), length
    content, length = _content(rng, clean)
    origin = _ref(rng, client, clock, state, chosen) if rng.random() < 0.5 else None
    right = _ref(rng, client, clock, state, chosen) if rng.random() < 0.3 else None
    parent: str | tuple[int, int] | None = None
    if origin is None and right is None:
        parent = _ref(rng, client, clock, state, chosen) if rng.random() < 0.4 else None
        parent = parent or rng.choice(ROOTS)
    sub = rng.choice(KEYS) if rng.random() < 0.3 else None
    return y.item(content, origin=origin, right=right, parent=parent, sub=sub), length


def _ref(
    rng: random.Random,
    client: int,
    clock: int,
    state: dict[int, int],
    chosen: list[int],
) -> tuple[int, int] | None:
    roll = rng.random()
    if roll < 0.4 and clock > 0:
        return client, clock - 1
    if roll < 0.8 and state:
        other = rng.choice(sorted(state))
        return other, rng.randrange(state[other] + 1)  # sometimes one past the end
    other = rng.choice(chosen)
    if other == client:  # a forward reference to its own block: rarely
        return (client, clock + rng.randrange(2)) if roll > 0.97 else None
    return other, state.get(other, 0) + rng.randrange(3)


def _content(rng: random.Random, clean: bool) -> tuple[tuple[int, bytes], int]:
    roll = rng.randrange(38 if clean else 40)
    least = 1 if clean else 0
    if roll < 10:
        text = "".join(rng.choice(TEXTS) for _ in range(rng.randint(least, 3)))
        text = text or ("x" if clean else "")
        return y.string(text), len(text.encode("utf-16-le")) // 2
    if roll < 16:
        values = [_value(rng, _depth(rng, clean)) for _ in range(rng.randint(least, 3))]
        return y.anys(*values), len(values)
    if roll < 19:
        length = rng.randint(least, 3)
        return y.deleted(length), length
    if roll < 21:
        return y.binary(bytes(rng.randrange(256) for _ in range(rng.randint(0, 4)))), 1
    if roll < 24:
        return y.embed(_json(rng, clean)), 1
    if roll < 28:
        return y.fmt(rng.choice(KEYS), _json(rng, clean)), 1
    if roll < 38:
        refs = (0, 1, 2, 3, 4, 6) if clean else (0, 1, 2, 3, 4, 6, 5, 7, 9)
        ref = rng.choice(refs)
        return y.ytype(ref, "p" if ref in (3, 5) else None), 1
    if roll == 38:
        texts = [_json(rng, clean) for _ in range(rng.randint(0, 2))]
        return y.json_content(*texts), 1
    return y.subdoc("guid", {"autoLoad": rng.random() < 0.5}), 1


def _depth(rng: random.Random, clean: bool) -> int:
    if clean:
        return rng.choice((0, 0, 0, 1, 1, 2, 3, 5, 16))
    return rng.choice((0, 1, 2, 15, 16, 17, 40))


ANY_LEAVES = (None, True, False, 0, -7, 2**40, 0.5, 1e300, "s", "😀", b"\x00")
JSON_LEAVES = ANY_LEAVES[:-1]


def _value(rng: random.Random, depth: int, leaves: tuple[Any, ...] = ANY_LEAVES) -> Any:
    """A nested value exactly `depth` containers deep (built without recursion)."""
    value: Any = rng.choice(leaves)
    for _ in range(depth):
        value = [value, 1] if rng.random() < 0.5 else {"k": value}
    return value


def _json(rng: random.Random, clean: bool) -> str:
    roll = rng.randrange(12)
    if roll == 0 and not clean:
        return rng.choice(("NaN", "1e999", '"\\ud800"', "{", "[1,]", "undefined", ""))
    value = _value(rng, _depth(rng, clean), JSON_LEAVES) if roll > 1 else {}
    return y.dumps_compact(value)


def _deletes(
    rng: random.Random, state: dict[int, int], chosen: list[int]
) -> dict[int, list[tuple[int, int]]]:
    deletes: dict[int, list[tuple[int, int]]] = {}
    for client in rng.sample(sorted(set(state) | set(chosen)), k=1):
        have = state.get(client, 0)
        start = rng.randrange(have + 2)
        deletes[client] = [(start, rng.choice((1, 1, 2, max(1, have - start), 2**20)))]
    return deletes
