"""The Yjs update validator accepts what pycrdt and stock Yjs write, and refuses
each malformed, oversized or dependent shape with a sentence for people.

Hostile inputs that crash pycrdt are in test_yupdate_hostile.py; checks across
updates (DocIndex) in test_yupdate_index.py.
"""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

import pytest
from pycrdt import Doc, Text

from portal.doclog.yupdate import (
    DEFAULT_LIMITS,
    DocIndex,
    InvalidUpdate,
    Limits,
    MissingDependency,
    UpdateSummary,
    advance,
    check_update,
    decode_state_vector,
)
from tests.doclog import yencode as y
from tests.doclog.nodejs import run_script
from tests.doclog.pycrdt_edits import HISTORIES

MALFORMED = "That change is malformed and was not applied."
MISSING = "That change refers to text the server does not have yet."
A, B = 5, 6  # client ids of hand-built updates


def replay(updates: list[bytes], limits: Limits = DEFAULT_LIMITS) -> dict[int, int]:
    """Check and apply each update in turn; return the validator's state vector.

    Each update is checked alone and with a DocIndex of the ones before it, and
    the state vector `advance` keeps must equal pycrdt's after applying.
    """
    state: dict[int, int] = {}
    index = DocIndex()
    doc: Doc = Doc()
    for update in updates:
        plain = check_update(update, state, limits)
        indexed = check_update(update, state, limits, index=index)
        assert (plain.ends, plain.structs, plain.deletes, plain.pair_starts) == (
            indexed.ends,
            indexed.structs,
            indexed.deletes,
            indexed.pair_starts,
        )
        advance(state, indexed, index)
        doc.apply_update(update)
        assert state == decode_state_vector(doc.get_state())
    return state


# Real updates from pycrdt.


@pytest.mark.parametrize("name", list(HISTORIES))
def test_every_pycrdt_update_passes_and_advance_matches_get_state(name: str) -> None:
    updates = HISTORIES[name]()
    state = replay(updates)
    doc: Doc = Doc()
    for update in updates:
        doc.apply_update(update)
    # The whole document in one update, and a diff against half of it.
    assert check_update(doc.get_update(), {}).ends == state
    half: Doc = Doc()
    for update in updates[: len(updates) // 2]:
        half.apply_update(update)
    diff = doc.get_update(half.get_state())
    summary = check_update(diff, decode_state_vector(half.get_state()))
    known = decode_state_vector(half.get_state())
    advance(known, summary)
    assert known == state


def test_keystroke_summary_counts_structs_and_deletes() -> None:
    doc: Doc = Doc(client_id=A)
    doc["t"] = text = Text("hello")
    before = doc.get_state()
    text.insert(5, "!")
    del text[0:1]
    update = doc.get_update(before)
    summary = check_update(update, {A: 5})
    assert summary == UpdateSummary({A: 6}, 1, 1)
    assert not summary.is_empty
    state = {A: 5, B: 9}
    advance(state, summary)
    assert state == {A: 6, B: 9}


def test_empty_update_is_empty() -> None:
    assert check_update(b"\x00\x00", {}).is_empty
    assert check_update(Doc().get_update(), {A: 3}).is_empty


# Real updates from stock Yjs in Node.


@pytest.fixture(scope="module")
def yjs_fixtures() -> dict[str, Any]:
    fixtures: dict[str, Any] = json.loads(run_script("yjs_fixtures.mjs"))
    return fixtures


def test_every_yjs_update_passes_and_state_matches_yjs_and_pycrdt(
    yjs_fixtures: dict[str, Any],
) -> None:
    names = [case["name"] for case in yjs_fixtures["accepted"]]
    assert names == [
        "formatted text",
        "xml tree",
        "every Any type",
        "deletes",
        "two clients",
        "merged with skip",
    ]
    for case in yjs_fixtures["accepted"]:
        state = replay([bytes.fromhex(u) for u in case["updates"]])
        assert state == decode_state_vector(bytes.fromhex(case["state"])), case["name"]
        assert check_update(bytes.fromhex(case["full"]), {}).ends == state


def test_merged_update_with_skip_needs_the_skipped_range(
    yjs_fixtures: dict[str, Any],
) -> None:
    case = yjs_fixtures["accepted"][-1]
    updates = [bytes.fromhex(u) for u in case["updates"]]
    merged = bytes.fromhex(case["merged"])
    assert bytes([y.SKIP]) in merged
    with pytest.raises(MissingDependency, match=MISSING):
        check_update(merged, {})
    state: dict[int, int] = {}
    for update in updates[:2]:
        advance(state, check_update(update, state))
    summary = check_update(merged, state)
    assert summary.structs == 2  # the Skip is not counted
    advance(state, summary)
    assert state == decode_state_vector(bytes.fromhex(case["state"]))


def test_yjs_xml_hook_and_subdocument_are_refused(yjs_fixtures: dict[str, Any]) -> None:
    hook, sub = (bytes.fromhex(c["update"]) for c in yjs_fixtures["refused"])
    with pytest.raises(InvalidUpdate, match="kind of shared type"):
        check_update(hook, {})
    with pytest.raises(InvalidUpdate, match="subdocument"):
        check_update(sub, {})
    assert check_update(sub, {}, Limits(allow_subdocuments=True)).structs == 1


# One rule at a time: hand-built updates and the sentence each gets.

ROOT_ITEM = y.item(y.string("x"), parent="t")
TOO_FAR = "That change goes past the largest position a document may have."
DEEP = "That change is nested too deeply (more than 16 levels)."
NOT_UTF8 = "That change holds text that is not valid UTF-8."


def one(*structs: bytes, clock: int = 0, client: int = A) -> bytes:
    return y.update([(client, clock, structs)])


REFUSED = {
    "truncated": (one(ROOT_ITEM)[:-3], MALFORMED),
    "trailing bytes": (one(ROOT_ITEM) + b"\x00", MALFORMED),
    "var uint over 53 bits": (y.update([(2**53, 0, [ROOT_ITEM])]), MALFORMED),
    "var uint of nine bytes": (
        b"\x01\x01" + b"\x85" + b"\x80" * 7 + b"\x00\x00",
        MALFORMED,
    ),
    "no structs in a block": (y.update([(A, 0, [])]), MALFORMED),
    "the same client twice": (
        y.update([(A, 0, [ROOT_ITEM]), (A, 1, [ROOT_ITEM])]),
        MALFORMED,
    ),
    "GC with a flag bit": (one(b"\x20\x01"), MALFORMED),
    "Skip with a flag bit": (one(b"\x8a\x01"), MALFORMED),
    "GC of length 0": (one(y.gc(0)), MALFORMED),
    "content kind 11": (one(b"\x0b" + ROOT_ITEM[1:]), MALFORMED),
    "content kind 17": (one(b"\x11" + ROOT_ITEM[1:]), MALFORMED),
    "parent info 2": (one(b"\x04\x02\x01t\x01x"), MALFORMED),
    "empty string": (one(y.item(y.string(""), parent="t")), MALFORMED),
    "Any with no values": (one(y.item(y.anys(), parent="t")), MALFORMED),
    "Deleted of length 0": (one(y.item(y.deleted(0), parent="t")), MALFORMED),
    "Any count past the end": (
        one(y.item(y.raw_any(2**40, b"\x7e"), parent="t")),
        MALFORMED,
    ),
    "Any tag 115": (one(y.item(y.raw_any(1, b"\x73"), parent="t")), MALFORMED),
    "Any integer over 53 bits": (
        one(y.item(y.raw_any(1, b"\x7d" + y.var_int(2**53)), parent="t")),
        MALFORMED,
    ),
    "Any object count past the end": (
        one(y.item(y.raw_any(1, b"\x76" + y.var_uint(10)), parent="t")),
        MALFORMED,
    ),
    "clock at 2**31": (one(ROOT_ITEM, clock=2**31), TOO_FAR),
    "clock plus length at 2**31": (one(ROOT_ITEM, clock=2**31 - 1), TOO_FAR),
    "origin clock at 2**32": (one(y.item(y.string("x"), origin=(B, 2**32))), TOO_FAR),
    "Deleted of length 2**31": (one(y.item(y.deleted(2**31), parent="t")), TOO_FAR),
    "invalid UTF-8": (one(b"\x04\x01\x01t\x02\xc3\x28"), NOT_UTF8),
    "UTF-8 of a surrogate": (one(b"\x04\x01\x01t\x03\xed\xa0\x80"), NOT_UTF8),
    "invalid UTF-8 in a root name": (one(b"\x04\x01\x01\xff\x01x"), NOT_UTF8),
    "invalid UTF-8 in an Any key": (
        one(y.item(y.raw_any(1, b"\x76\x01\x01\xff\x7e"), parent="t")),
        NOT_UTF8,
    ),
    "long root name": (
        one(y.item(y.string("x"), parent="r" * 101)),
        "That change names a part longer than 100 characters.",
    ),
    "Any 17 levels deep": (one(y.item(y.raw_any(1, y.deep_any(17)), parent="t")), DEEP),
    "object 17 levels deep": (
        one(y.item(y.raw_any(1, b"\x76\x01\x01k" * 17 + b"\x7e"), parent="t")),
        DEEP,
    ),
    "embed 17 levels deep": (one(y.item(y.embed(y.deep_json(17)), parent="t")), DEEP),
    "format 17 levels deep": (
        one(y.item(y.fmt("b", y.deep_json(17)), parent="t")),
        DEEP,
    ),
    "JSON content 17 deep": (
        one(y.item(y.json_content(y.deep_json(17)), parent="a")),
        DEEP,
    ),
    "embed of NaN": (one(y.item(y.embed("NaN"), parent="t")), MALFORMED),
    "embed of 1e999": (one(y.item(y.embed("1e999"), parent="t")), MALFORMED),
    "embed of bad JSON": (one(y.item(y.embed("[1,]"), parent="t")), MALFORMED),
    "embed of a lone surrogate": (
        one(y.item(y.embed('"\\ud800"'), parent="t")),
        NOT_UTF8,
    ),
    "JSON content": (
        one(y.item(y.json_content('"a"'), parent="a")),
        "That change uses an old kind of content the server refuses.",
    ),
    "XmlHook": (
        one(y.item(y.ytype(y.XML_HOOK, "h"), parent="x")),
        "That change uses a kind of shared type the server refuses.",
    ),
    "overlong type ref": (
        one(b"\x07\x01\x01x\x80\x00"),
        "That change uses a kind of shared type the server refuses.",
    ),
    "type ref 7": (
        one(y.item(y.ytype(7), parent="x")),
        "That change uses a kind of shared type the server refuses.",
    ),
    "subdocument": (
        one(y.item(y.subdoc("g", {}), parent="m", sub="k")),
        "That change embeds a subdocument, which the server refuses.",
    ),
    "string of 1 MB and a byte": (
        one(y.item(y.string("x" * (2**20 + 1)), parent="t")),
        "That change holds a text or value longer than 1048576 bytes.",
    ),
    "forward origin in its own block": (
        one(y.item(y.string("x"), origin=(A, 0))),
        MALFORMED,
    ),
    "forward parent in its own block": (
        one(ROOT_ITEM, y.item(y.string("x"), parent=(A, 1))),
        MALFORMED,
    ),
    "parent that is not a type": (
        one(ROOT_ITEM, y.item(y.string("x"), parent=(A, 0))),
        MALFORMED,
    ),
    "delete of length 0": (y.update([], {A: [(0, 0)]}), MALFORMED),
    "delete past 2**31": (y.update([], {A: [(0, 2**53 - 1)]}), TOO_FAR),
    "delete of 2**53 (lib0 refuses the number)": (
        y.update([], {A: [(0, 2**53)]}),
        MALFORMED,
    ),
    "the same client twice in deletes": (
        b"\x00\x02" + y.delete_set({A: [(0, 1)]})[1:] + y.delete_set({A: [(0, 1)]})[1:],
        MALFORMED,
    ),
    "delete range count past the end": (b"\x00\x01\x05" + y.var_uint(2**32), MALFORMED),
}


@pytest.mark.parametrize(("update", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_refused_with_a_sentence(update: bytes, message: str) -> None:
    with pytest.raises(InvalidUpdate) as caught:
        check_update(update, {B: 5})
    assert str(caught.value) == message
    assert type(caught.value) is InvalidUpdate


def test_limits_are_inclusive_at_the_edge() -> None:
    at_depth = one(y.item(y.raw_any(1, y.deep_any(16)), parent="t"))
    assert check_update(at_depth, {}).structs == 1
    assert check_update(one(y.item(y.embed(y.deep_json(16)), parent="t")), {}).structs
    edge = one(y.item(y.string("x"), parent="t"), clock=2**31 - 2)
    assert check_update(edge, {A: 2**31 - 2}).ends == {A: 2**31 - 1}
    assert check_update(one(y.item(y.string("😀" * 262144), parent="t")), {})


def test_tighter_limits() -> None:
    three = one(ROOT_ITEM, y.item(y.string("y"), origin=(A, 0)), y.gc(1))
    with pytest.raises(InvalidUpdate, match=r"too large \(more than 2 parts\)"):
        check_update(three, {}, Limits(max_structs=2))
    deletes = y.update([], {A: [(0, 1), (2, 1)], B: [(0, 1)]})
    with pytest.raises(InvalidUpdate, match=r"too many ranges \(more than 2\)"):
        check_update(deletes, {A: 3, B: 1}, Limits(max_delete_ranges=2))
    with pytest.raises(InvalidUpdate, match=r"more than 3 levels"):
        check_update(
            one(y.item(y.raw_any(1, y.deep_any(4)), parent="t")),
            {},
            Limits(max_depth=3),
        )


def test_limits_refuse_values_yrs_cannot_hold() -> None:
    with pytest.raises(ValueError, match="max_clock must be between 1 and 2\\*\\*31"):
        Limits(max_clock=2**32)
    with pytest.raises(ValueError, match="max_depth must be between 0 and 500"):
        Limits(max_depth=5000)


# Dependencies: what the receiving document must already hold.


def test_block_must_start_at_or_below_the_known_clock() -> None:
    assert check_update(one(ROOT_ITEM, clock=3), {A: 3}).ends == {A: 4}
    with pytest.raises(MissingDependency, match=MISSING):
        check_update(one(ROOT_ITEM, clock=4), {A: 3})


def test_overlap_with_known_content_is_fine() -> None:
    overlapping = one(y.item(y.string("abc"), parent="t"), clock=1)
    assert check_update(overlapping, {A: 3}).ends == {A: 4}
    assert check_update(overlapping, {A: 9}).ends == {A: 4}


@pytest.mark.parametrize(
    "struct",
    [
        y.item(y.string("x"), origin=(B, 5)),
        y.item(y.string("x"), right=(B, 5)),
        y.item(y.string("x"), parent=(B, 5)),
    ],
    ids=["origin", "right origin", "parent"],
)
def test_reference_to_an_unknown_clock_is_missing(struct: bytes) -> None:
    with pytest.raises(MissingDependency, match=MISSING):
        check_update(one(struct), {B: 5})


def test_references_between_blocks_resolve_in_any_order() -> None:
    # A's first struct needs B's first; B's second needs A's first.
    update = y.update(
        [
            (
                A,
                0,
                [
                    y.item(y.string("a"), origin=(B, 0)),
                    y.item(y.string("b"), origin=(A, 0)),
                ],
            ),
            (
                B,
                0,
                [
                    y.item(y.string("c"), parent="t"),
                    y.item(y.string("d"), origin=(A, 0)),
                ],
            ),
        ]
    )
    assert check_update(update, {}).ends == {A: 2, B: 2}


def test_circular_references_between_blocks_are_missing() -> None:
    update = y.update(
        [
            (
                A,
                0,
                [
                    y.item(y.string("a"), parent="t"),
                    y.item(y.string("b"), origin=(B, 1)),
                ],
            ),
            (
                B,
                0,
                [
                    y.item(y.string("c"), parent="t"),
                    y.item(y.string("d"), origin=(A, 1)),
                ],
            ),
        ]
    )
    with pytest.raises(MissingDependency):
        check_update(update, {})


def test_skip_does_not_make_its_range_known() -> None:
    update = one(ROOT_ITEM, y.skip(2), y.item(y.string("z"), origin=(A, 0)))
    with pytest.raises(MissingDependency):
        check_update(update, {})
    assert check_update(update, {A: 3}).ends == {A: 4}
    with pytest.raises(MissingDependency):
        check_update(y.update([(B, 0, [y.item(y.string("q"), origin=(A, 1))])]), {A: 1})


def test_gc_makes_its_range_known() -> None:
    update = one(y.gc(2), y.item(y.string("z"), origin=(A, 1)))
    assert check_update(update, {}).ends == {A: 3}


def test_deletes_must_stay_within_what_is_known() -> None:
    assert check_update(y.update([], {A: [(0, 3)]}), {A: 3}).deletes == 1
    with pytest.raises(
        MissingDependency, match="deletes text the server does not have"
    ):
        check_update(y.update([], {A: [(0, 4)]}), {A: 3})
    with pytest.raises(MissingDependency):
        check_update(y.update([], {B: [(0, 1)]}), {A: 3})
    # The update's own structs count.
    assert check_update(y.update([(A, 0, [ROOT_ITEM])], {A: [(0, 1)]}), {}).deletes == 1


def test_missing_dependency_is_an_invalid_update() -> None:
    assert issubclass(MissingDependency, InvalidUpdate)
    assert issubclass(InvalidUpdate, ValueError)


# State vectors.


def test_decode_state_vector_reads_pycrdt_state() -> None:
    doc: Doc = Doc(client_id=A)
    doc["t"] = Text("four")
    assert decode_state_vector(doc.get_state()) == {A: 4}
    assert decode_state_vector(y.state_vector({A: 1, B: 2**31 - 1})) == {
        A: 1,
        B: 2**31 - 1,
    }


@pytest.mark.parametrize(
    "data",
    [
        y.state_vector({A: 1}) + b"\x00",
        y.state_vector({A: 1})[:-1],
        b"\x02" + y.state_vector({A: 1})[1:] * 2,
        y.state_vector({A: 2**31}),
        b"\xff\xff\xff\xff\x0f",
    ],
    ids=["trailing", "truncated", "duplicate", "clock too large", "huge count"],
)
def test_decode_state_vector_refuses_junk(data: bytes) -> None:
    with pytest.raises(InvalidUpdate, match="That sync request is malformed."):
        decode_state_vector(data)


# Speed: a keystroke is checked in microseconds.


def test_keystroke_is_checked_quickly() -> None:
    doc: Doc = Doc(client_id=A)
    doc["t"] = text = Text("hello world")
    before = doc.get_state()
    text.insert(5, "x")
    update, state = doc.get_update(before), {A: 11}
    times = []
    for _ in range(200):
        start = time.perf_counter()
        check_update(update, state)
        times.append(time.perf_counter() - start)
    # bench/yupdate.py measures about 10 µs; this bound only catches a blow-up.
    assert statistics.median(times) < 500e-6
