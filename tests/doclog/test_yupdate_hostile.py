"""The hostile updates from ../shared/notes/realtime.md ("Hostile updates"), built
by hand: the validator refuses each quickly, and (in a child process only) we
show that pycrdt 0.14.13 and stock Yjs really do fail on them, which is why the
validator exists.
"""

from __future__ import annotations

import json
import time

import pycrdt
import pytest

from portal.doclog.yupdate import InvalidUpdate, check_update
from tests.doclog import yencode as y
from tests.doclog.nodejs import yjs_apply
from tests.fuzz.yfuzz import Case, apply_in_child

C = 12345  # a client the document has never seen
HUGE_DELETE = y.update([], {C: [(0, 2**53)]})
FAR_ITEM = y.update([(C, 2**32 - 2, [y.item(y.string("x"), parent="t")])])
DEEP = "That change is nested too deeply (more than 16 levels)."


def deep_any_update(depth: int) -> bytes:
    return y.update(
        [(7, 0, [y.item(y.raw_any(1, y.deep_any(depth)), parent="m", sub="k")])]
    )


def refused_quickly(update: bytes) -> str:
    """Check `update`, expecting a refusal well under a second; return its message."""
    start = time.perf_counter()
    with pytest.raises(InvalidUpdate) as caught:
        check_update(update, {})
    assert time.perf_counter() - start < 0.5
    return str(caught.value)


def test_delete_of_2_53_and_item_at_2_32_are_each_refused() -> None:
    assert (
        refused_quickly(HUGE_DELETE) == "That change is malformed and was not applied."
    )
    # Just under lib0's limit the delete is still past any clock a document may hold.
    assert "largest position" in refused_quickly(y.update([], {C: [(0, 2**53 - 1)]}))
    assert "largest position" in refused_quickly(FAR_ITEM)


@pytest.mark.parametrize("depth", [17, 15_000, 20_000, 40_000])
def test_deep_any_is_refused_without_recursion(depth: int) -> None:
    update = deep_any_update(depth)
    assert len(update) == pytest.approx(2 * depth, abs=20)
    assert refused_quickly(update) == DEEP


@pytest.mark.parametrize("depth", [17, 500, 5_000, 40_000])
@pytest.mark.parametrize("kind", ["embed", "format", "json"])
def test_deep_json_is_refused_without_recursion_error(kind: str, depth: int) -> None:
    # Past Python's recursion limit json.loads raises RecursionError; below it
    # the value parses and the depth is measured. Both are the same refusal.
    text = y.deep_json(depth)
    content = {
        "embed": y.embed(text),
        "format": y.fmt("bold", text),
        "json": y.json_content(text),
    }[kind]
    assert refused_quickly(y.update([(7, 0, [y.item(content, parent="t")])])) == DEEP


def test_deep_json_hidden_in_strings_is_not_counted() -> None:
    text = json.dumps({"k": "[" * 5000, "l": ["{" * 100]})
    update = y.update([(7, 0, [y.item(y.embed(text), parent="t")])])
    assert check_update(update, {}).structs == 1


# What the hostile updates do without the validator (child processes only).

pycrdt_0_14_13 = pytest.mark.skipif(
    pycrdt.__version__ != "0.14.13",  # type: ignore[attr-defined]
    reason="the crashes were recorded against pycrdt 0.14.13 (yrs 0.28.0)",
)


@pycrdt_0_14_13
def test_pycrdt_panics_on_the_delete_then_the_far_item() -> None:
    """Why the validator exists (1): yrs panics (block_store.rs, index out of bounds)."""
    (outcome,) = apply_in_child([Case((HUGE_DELETE,), FAR_ITEM)])
    assert outcome.kind == "panic", outcome
    assert "PanicException" in outcome.detail


@pycrdt_0_14_13
def test_pycrdt_segfaults_on_an_any_40000_levels_deep() -> None:
    """Why the validator exists (2): the native decoder overflows its stack."""
    (outcome,) = apply_in_child([Case((), deep_any_update(40_000))])
    assert outcome == outcome.__class__("crash", "killed by signal 11")


def test_yjs_cannot_load_an_any_15000_levels_deep() -> None:
    """Why the depth limit is low (3): pycrdt takes this one, a browser's Yjs does not."""
    assert yjs_apply(deep_any_update(15_000)) == [
        {"error": "RangeError: Maximum call stack size exceeded"}
    ]
