"""Checks that need to know what earlier updates added (DocIndex): shared types
nested across updates, parents that are not types, surrogate pairs split in two.

Within one update the validator catches each of these without an index; across
updates only with one. Child processes show what pycrdt and Yjs do otherwise.
"""

from __future__ import annotations

import re

import pytest
from pycrdt import Doc, XmlElement, XmlFragment, XmlText

from portal.doclog.yupdate import (
    DocIndex,
    InvalidUpdate,
    Limits,
    advance,
    check_update,
    decode_state_vector,
)
from tests.doclog import yencode as y
from tests.doclog.nodejs import yjs_apply
from tests.fuzz.yfuzz import Case, apply_in_child

A, B = 5, 6
MALFORMED = "That change is malformed and was not applied."
SPLIT = re.escape("That change would split a character (such as an emoji) in two.")
EMOJI_X = y.update([(A, 0, [y.item(y.string("😀x"), parent="t")])])  # A:0-1 😀, A:2 x


def indexed(*updates: bytes) -> tuple[dict[int, int], DocIndex]:
    """The state and index after checking and applying `updates` in order."""
    state: dict[int, int] = {}
    index = DocIndex()
    for update in updates:
        advance(state, check_update(update, state, index=index), index)
    return state, index


def nested_maps(levels: int, client: int = A) -> list[bytes]:
    """One update per level, each a Y.Map inside the previous one."""
    first = y.item(y.ytype(y.MAP), parent="m", sub="k")
    rest = [
        y.item(y.ytype(y.MAP), parent=(client, i - 1), sub="k")
        for i in range(1, levels)
    ]
    return [y.update([(client, i, [s])]) for i, s in enumerate([first, *rest])]


# Shared types nested across updates.


def test_nesting_across_updates_is_counted_with_an_index() -> None:
    limits = Limits(max_type_depth=5)
    updates = nested_maps(6)
    state: dict[int, int] = {}
    index = DocIndex()
    for update in updates[:5]:
        advance(state, check_update(update, state, limits, index=index), index)
    assert index.type_depths[(A, 4)] == 5
    with pytest.raises(
        InvalidUpdate, match=r"nests shared types too deeply \(more than 5"
    ):
        check_update(updates[5], state, limits, index=index)
    # Without an index each update is one level deep on its own.
    assert check_update(updates[5], state, limits).types == {(A, 5): 1}


def test_nesting_through_an_origin_in_an_earlier_update() -> None:
    # The inner map is placed after a sibling string from an earlier update, so
    # its parent comes from that sibling's: the index remembers it.
    outer = y.update([(A, 0, [y.item(y.ytype(y.XML_ELEMENT, "p"), parent="x")])])
    sibling = y.update([(A, 1, [y.item(y.string("ab"), parent=(A, 0))])])
    inner = y.update([(B, 0, [y.item(y.ytype(y.XML_ELEMENT, "q"), origin=(A, 2))])])
    state, index = indexed(outer, sibling)
    assert check_update(inner, state, index=index).types == {(B, 0): 2}
    with pytest.raises(InvalidUpdate, match="more than 1 levels"):
        check_update(inner, state, Limits(max_type_depth=1), index=index)


def test_prosemirror_depth_passes_with_default_limits() -> None:
    doc: Doc = Doc(client_id=A)
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(bytes(event.update)))
    doc["prosemirror"] = fragment = XmlFragment()
    node = fragment.children.append(XmlElement("bullet_list"))
    for level in range(39):
        node = node.children.append(
            XmlElement("blockquote" if level % 2 else "list_item")
        )
    node.children.append(XmlText("deep"))
    state, index = indexed(*updates)
    assert max(index.type_depths.values()) == 41
    assert state == decode_state_vector(doc.get_state())
    assert check_update(doc.get_update(), {}, index=DocIndex()).structs == 42


def test_yjs_fails_on_types_nested_5000_deep() -> None:
    """Why `max_type_depth` exists: deleting (or rendering) the outer type
    overflows Yjs's stack at a few thousand levels (pycrdt's at about 20,000)."""
    structs = [y.item(y.ytype(y.MAP), parent="m", sub="k")]
    structs += [
        y.item(y.ytype(y.MAP), parent=(A, i - 1), sub="k") for i in range(1, 5000)
    ]
    update = y.update([(A, 0, structs)])
    with pytest.raises(InvalidUpdate, match="nests shared types too deeply"):
        check_update(update, {})
    applied, deleted = yjs_apply(update, y.update([], {A: [(0, 1)]}))
    assert "ok" in applied
    assert deleted == {"error": "RangeError: Maximum call stack size exceeded"}


# Parents that are not shared types.

TEXT_ITEM = y.update([(A, 0, [y.item(y.string("abc"), parent="t")])])
CHILD_OF_TEXT = y.update([(B, 0, [y.item(y.string("x"), parent=(A, 1))])])


def test_parent_that_is_not_a_type_is_refused_with_an_index() -> None:
    state, index = indexed(TEXT_ITEM)
    with pytest.raises(InvalidUpdate, match=MALFORMED):
        check_update(CHILD_OF_TEXT, state, index=index)
    assert check_update(CHILD_OF_TEXT, state).structs == 1  # it cannot tell alone


def test_pycrdt_fails_part_way_on_a_parent_that_is_not_a_type() -> None:
    (outcome,) = apply_in_child([Case((TEXT_ITEM,), CHILD_OF_TEXT)])
    assert outcome.kind == "error"
    assert "must be deleted or shared ref type" in outcome.detail


# Surrogate pairs.


@pytest.mark.parametrize(
    "update",
    [
        y.update([], {A: [(0, 1)]}),
        y.update([], {A: [(1, 2)]}),
        y.update([(B, 0, [y.item(y.string("b"), origin=(A, 0))])]),
        y.update([(B, 0, [y.item(y.string("b"), right=(A, 1))])]),
        y.update([(B, 0, [y.item(y.string("b"), origin=(A, 0), right=(A, 1))])]),
    ],
    ids=["delete first half", "delete from the second half", "origin", "right", "both"],
)
def test_split_pair_in_an_earlier_update_is_refused_with_an_index(
    update: bytes,
) -> None:
    state, index = indexed(EMOJI_X)
    assert index.pair_starts == {(A, 0)}
    with pytest.raises(InvalidUpdate, match=SPLIT):
        check_update(update, state, index=index)
    check_update(update, state)  # it cannot tell alone


@pytest.mark.parametrize(
    "update",
    [
        y.update([(A, 0, [y.item(y.string("😀x"), parent="t")])], {A: [(0, 1)]}),
        y.update(
            [
                (
                    A,
                    0,
                    [
                        y.item(y.string("😀x"), parent="t"),
                        y.item(y.string("b"), origin=(A, 0)),
                    ],
                )
            ]
        ),
    ],
    ids=["delete", "origin"],
)
def test_split_pair_within_one_update_is_refused_alone(update: bytes) -> None:
    with pytest.raises(InvalidUpdate, match=SPLIT):
        check_update(update, {})


def test_overlap_that_cuts_its_own_pair_is_refused() -> None:
    resend = y.update([(A, 0, [y.item(y.string("a😀"), parent="t")])])  # A:1-2 😀
    with pytest.raises(InvalidUpdate, match=SPLIT):
        check_update(resend, {A: 2})
    assert check_update(resend, {A: 1}).ends == {A: 3}


def test_whole_characters_pass() -> None:
    state, index = indexed(EMOJI_X)
    for update in (
        y.update([], {A: [(0, 2)]}),
        y.update([(B, 0, [y.item(y.string("b"), origin=(A, 1), right=(A, 2))])]),
        y.update([(B, 0, [y.item(y.string("b"), right=(A, 0))])]),
    ):
        check_update(update, state, index=index)


def test_pycrdt_document_drifts_after_a_split_pair() -> None:
    """Why pairs are checked: yrs keeps the character whole but the lengths in
    UTF-16, so the reloaded document holds fewer clocks than the live one."""
    (outcome,) = apply_in_child([Case((EMOJI_X,), y.update([], {A: [(0, 1)]}))])
    assert outcome.kind == "ok"
    live = decode_state_vector(bytes.fromhex(outcome.detail))
    reloaded = decode_state_vector(bytes.fromhex(outcome.reloaded))
    assert (live, reloaded) == ({A: 3}, {A: 2})


# Places (parent and map key): what Yjs would link into two lists.

T_AND_U = y.update(
    [(A, 0, [y.item(y.string("a"), parent="t"), y.item(y.string("b"), parent="u")])]
)


def test_neighbours_in_two_places_are_refused() -> None:
    between = y.update([(B, 0, [y.item(y.string("x"), origin=(A, 0), right=(A, 1))])])
    state, index = indexed(T_AND_U)
    with pytest.raises(InvalidUpdate, match=MALFORMED):
        check_update(between, state, index=index)
    check_update(between, state)  # it cannot tell alone
    one_update = y.update(
        [
            (
                A,
                0,
                [y.item(y.string("a"), parent="t"), y.item(y.string("b"), parent="u")],
            ),
            (B, 0, [y.item(y.string("x"), origin=(A, 0), right=(A, 1))]),
        ]
    )
    with pytest.raises(InvalidUpdate, match=MALFORMED):  # within one update, alone
        check_update(one_update, {})


def test_overlap_must_continue_the_place_of_the_known_clocks() -> None:
    state, index = indexed(T_AND_U)
    elsewhere = y.update([(A, 0, [y.item(y.string("xyz"), parent="t")])])
    with pytest.raises(InvalidUpdate, match=MALFORMED):
        check_update(elsewhere, state, index=index)
    same = y.update([(A, 1, [y.item(y.string("bcd"), parent="u")])])
    assert check_update(same, state, index=index).ends == {A: 4}


OVERLAP_AFTER_GC = (
    y.update([(A, 0, [y.item(y.string("a"), parent="t"), y.gc(1)])]),
    y.update([(A, 1, [y.item(y.string("xy"), parent="t")])]),
)


def test_overlap_after_a_gc_is_refused_with_an_index() -> None:
    state, index = indexed(OVERLAP_AFTER_GC[0])
    with pytest.raises(InvalidUpdate, match=MALFORMED):
        check_update(OVERLAP_AFTER_GC[1], state, index=index)


def test_yjs_throws_on_an_overlap_after_a_gc() -> None:
    """Why overlaps are checked: Yjs links the new part after the known clock
    before it (Item.integrate with an offset), and a GC there has no neighbours."""
    base, overlap = yjs_apply(*OVERLAP_AFTER_GC)
    assert "ok" in base
    assert overlap == {
        "error": "TypeError: Cannot read properties of undefined (reading 'origin')"
    }


def test_live_map_entry_is_one_item_long() -> None:
    string_value = y.item(y.string("ab"), parent="m", sub="k")
    with pytest.raises(InvalidUpdate, match=MALFORMED):
        check_update(y.update([(A, 0, [string_value])]), {})
    # Overwritten entries merge into a longer Deleted item (Yjs and yrs both).
    merged = y.update(
        [
            (
                A,
                0,
                [
                    y.item(y.deleted(3), parent="m", sub="k"),
                    y.item(y.anys(1), origin=(A, 2)),
                ],
            )
        ]
    )
    assert check_update(merged, {}).ends == {A: 4}
    entry = y.update([(A, 0, [y.item(y.anys(1), parent="m", sub="k")])])
    state, index = indexed(entry)
    longer = y.update([(B, 0, [y.item(y.anys(1, 2), origin=(A, 0))])])
    with pytest.raises(InvalidUpdate, match=MALFORMED):
        check_update(longer, state, index=index)
