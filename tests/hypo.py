"""Shared pieces of the property-based tests (hypothesis): budgets and byte mutations.

`make test` runs each property a small number of times (total well under a
minute); `HYPOTHESIS_PROFILE=long` (registered in tests/conftest.py) runs
`LONG_FACTOR` times as many examples, for a fuzzing session by hand.
"""

from __future__ import annotations

import os

from hypothesis import strategies as st

LONG_FACTOR = 50
HUGE = (2**31 - 1, 2**31, 2**32 - 2, 2**32, 2**53 - 1, 2**53, 2**63, 2**64, 2**70)


def examples(count: int) -> int:
    """How many examples a property runs: `count`, or many more when long."""
    return (
        count * LONG_FACTOR if os.environ.get("HYPOTHESIS_PROFILE") == "long" else count
    )


def var_uint(num: int) -> bytes:
    """lib0's unsigned varint (also for numbers past 64 bits, which lib0 refuses)."""
    out = bytearray()
    while num > 0x7F:
        out.append(0x80 | (num & 0x7F))
        num >>= 7
    out.append(num)
    return bytes(out)


# One edit: (kind, position, value). Positions are taken modulo the length, so
# every drawn edit applies to any input and shrinks towards the start.
_EDIT = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 2**16), st.integers(0, 7)),
    st.tuples(
        st.just("set"),
        st.integers(0, 2**16),
        st.sampled_from((0, 1, 0x7F, 0x80, 0xFF)) | st.integers(0, 255),
    ),
    st.tuples(
        st.just("insert"), st.integers(0, 2**16), st.binary(min_size=1, max_size=8)
    ),
    st.tuples(st.just("delete"), st.integers(0, 2**16), st.integers(1, 8)),
    st.tuples(
        st.just("varint"),
        st.integers(0, 2**16),
        st.sampled_from(HUGE) | st.integers(0, 2**40),
    ),
    st.tuples(st.just("duplicate"), st.integers(0, 2**16), st.integers(0, 2**16)),
)
EDITS = st.lists(_EDIT, min_size=1, max_size=4)


def mutate(data: bytes, edits: list[tuple[str, int, object]]) -> bytes:
    """Apply byte edits drawn from `EDITS`: flips, sets, inserts, deletes,
    huge var uints spliced over the var uint at a position, duplicated runs."""
    out = bytearray(data)
    for kind, where, value in edits:
        at = where % (len(out) + 1)
        if kind == "insert":
            assert isinstance(value, bytes)
            out[at:at] = value
            continue
        if kind == "varint":
            assert isinstance(value, int)
            end = at
            while end < len(out) and out[end] >= 0x80:
                end += 1
            out[at : min(end + 1, len(out))] = var_uint(value)
            continue
        if not out:
            continue
        at = where % len(out)
        assert isinstance(value, int)
        if kind == "flip":
            out[at] ^= 1 << value
        elif kind == "set":
            out[at] = value
        elif kind == "delete":
            del out[at : at + value]
        else:  # duplicate a run of up to 16 bytes to another place
            piece = out[at : at + 16]
            to = value % (len(out) + 1)
            out[to:to] = piece
    return bytes(out)
