"""Property-based tests (hypothesis) of the Yjs update check, `check_update`.

Properties: for any bytes, and for real pycrdt updates (random edits to the
`content` Text and the `body` XmlFragment a document holds) damaged byte by
byte, spliced with huge var uints or concatenated, `check_update` either
accepts or raises `InvalidUpdate`, and in bounded time. Whatever it accepts
applies in pycrdt, leaves the state vector `advance` predicts, and its
Markdown (`portal.docmodel.markdown_of`) can be computed. pycrdt runs in a
child process (`markdown_child`), so a native crash fails a test instead of
killing pytest. `HYPOTHESIS_PROFILE=long` runs many more examples.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pycrdt import Doc, Text, XmlElement, XmlFragment, XmlText, merge_updates

from portal.doclog.yupdate import InvalidUpdate, check_update, decode_state_vector
from tests.fuzz.yfuzz import ROOT, state_of
from tests.fuzz.ygenerate import generate
from tests.hypo import EDITS, examples, mutate

CHECK_SECONDS = 5  # check_update of a few kB takes milliseconds
CHILD_SECONDS = 30


class Child:
    """One long-lived `markdown_child`, restarted after it dies."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[str] | None = None

    def _start(self) -> subprocess.Popen[str]:
        env = {**os.environ, "RUST_BACKTRACE": "0", "PYTHONPATH": str(ROOT)}
        return subprocess.Popen(
            [sys.executable, "-m", "tests.fuzz.markdown_child"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=ROOT,
            env=env,
        )

    def run(self, base: list[bytes], update: bytes) -> dict[str, Any]:
        """Apply `base` then `update` in the child: its answer, or a crash."""
        if self.proc is None or self.proc.poll() is not None:
            self.proc = self._start()
        assert self.proc.stdin is not None and self.proc.stdout is not None
        case = {"base": [b.hex() for b in base], "update": update.hex()}
        self.proc.stdin.write(json.dumps(case) + "\n")
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], CHILD_SECONDS)
        line = self.proc.stdout.readline() if ready else ""
        if not line:
            self.close()
            return {"crash": f"no answer (exit status {self.proc.returncode})"}
        answer: dict[str, Any] = json.loads(line)
        if "panic" in answer:  # the child exits after a panic: wait for it
            self.close()
        return answer

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
        if self.proc is not None:
            self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def child() -> Iterator[Child]:
    runner = Child()
    yield runner
    runner.close()


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Fail (rather than hang) if the block runs longer than `seconds`."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise AssertionError(f"check_update ran for more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# Real updates: random edits, each in its own transaction, as an editor sends them.

WORDS = st.text(st.characters(codec="utf-8"), min_size=1, max_size=8)
MARKS = st.sampled_from(("strong", "em", "code", "link"))
NAMES = st.sampled_from(
    ("paragraph", "heading", "bullet_list", "list_item", "blockquote", "hard_break")
) | st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=6)
POS = st.integers(0, 2**10)
EDIT = st.one_of(
    st.tuples(st.just("text"), POS, WORDS),
    st.tuples(st.just("cut"), POS, st.integers(1, 5)),
    st.tuples(st.just("mark"), POS, st.integers(1, 5), MARKS),
    st.tuples(st.just("block"), POS, NAMES, WORDS),
    st.tuples(st.just("type"), POS, POS, WORDS, st.none() | MARKS),
    st.tuples(st.just("embed"), POS, POS, WORDS),
    st.tuples(st.just("attr"), POS, st.sampled_from(("level", "align", "x")), POS),
    st.tuples(st.just("drop"), POS),
)


def _room(text: Text | XmlText) -> int:
    """Where edits may go: pycrdt mixes UTF-8 and code point offsets (and
    panics on a range past the end), so inside non-ASCII text only at 0."""
    content = str(text)
    return len(content) if content.isascii() else 0


def _apply(text: Text, body: XmlFragment, edit: tuple[Any, ...]) -> None:
    kind, at = edit[0], edit[1]
    blocks = body.children
    size = _room(text)
    if kind == "text":
        text.insert(at % (size + 1), edit[2])
    elif kind == "cut" and size:
        start = at % size
        del text[start : min(size, start + edit[2])]
    elif kind == "mark" and size:
        start = at % size
        text.format(start, min(size, start + edit[2]), {edit[3]: {}})
    elif kind == "block":
        new = blocks.insert(at % (len(blocks) + 1), XmlElement(edit[2]))
        new.children.append(XmlText(edit[3]))
    elif kind in ("type", "embed", "attr", "drop") and len(blocks):
        block = blocks[at % len(blocks)]
        if kind == "drop":
            del blocks[at % len(blocks)]
            return
        assert isinstance(block, XmlElement)
        if kind == "attr":
            block.attributes[edit[2]] = str(edit[3])
            return
        inner = block.children[0] if len(block.children) else None
        if not isinstance(inner, XmlText):
            return
        where = edit[2] % (_room(inner) + 1)
        if kind == "embed":
            inner.insert_embed(where, {"mention": edit[3]})
        else:
            inner.insert(where, edit[3], {edit[4]: {}} if edit[4] else None)


@st.composite
def histories(draw: st.DrawFn) -> list[bytes]:
    """The updates one editor's document emits for a few random edits."""
    doc: Doc[Any] = Doc(client_id=draw(st.integers(1, 2**32)))
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(bytes(event.update)))
    with doc.transaction():
        text = doc.get("content", type=Text)
        body = doc.get("body", type=XmlFragment)
    for edit in draw(st.lists(EDIT, min_size=1, max_size=6)):
        with doc.transaction():
            _apply(text, body, edit)
    return [u for u in updates if u != b"\x00\x00"]


@st.composite
def damaged(draw: st.DrawFn) -> tuple[list[bytes], bytes]:
    """(base updates, an update to check against the document they build)."""
    history = draw(histories())
    if not history:
        return [], draw(st.binary(max_size=64))
    cut = draw(st.integers(0, len(history) - 1))
    base, update = history[:cut], history[cut]
    how = draw(st.sampled_from(("mutate", "concat", "merge", "generate")))
    if how == "concat":  # two updates back to back: one update and trailing junk
        update = update + draw(st.sampled_from(history))
    elif how == "merge" and cut + 1 < len(history):
        update = merge_updates(update, history[cut + 1])
    elif how == "generate":  # well-formed but hostile (tests/fuzz/ygenerate.py)
        state, _ = state_of(base)
        update = generate(draw(st.randoms(use_true_random=False)), state)
    return base, mutate(update, draw(EDITS)) if draw(st.booleans()) else update


def check_and_apply(child: Child, base: list[bytes], update: bytes) -> None:
    """The property: refused with InvalidUpdate, or safe to apply and render."""
    state, index = state_of(base)
    try:
        with time_limit(CHECK_SECONDS):
            summary = check_update(update, state, index=index)
    except InvalidUpdate as refused:
        event(f"refused: {refused}")
        return
    event("accepted" if summary.structs or summary.deletes else "accepted, empty")
    expected = dict(state)
    for client, end in summary.ends.items():
        expected[client] = max(end, expected.get(client, 0))
    outcome = child.run(base, update)
    assert "ok" in outcome, (outcome, update.hex())
    applied = decode_state_vector(bytes.fromhex(outcome["ok"]))
    assert applied == expected, update.hex()
    assert decode_state_vector(bytes.fromhex(outcome["reloaded"])) == applied


PROPERTY = settings(
    max_examples=examples(300),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@PROPERTY
@given(update=st.binary(max_size=256))
def test_any_bytes_are_refused_or_safe(child: Child, update: bytes) -> None:
    check_and_apply(child, [], update)


@PROPERTY
@given(history=histories())
def test_real_updates_are_accepted_and_render(
    child: Child, history: list[bytes]
) -> None:
    for i, update in enumerate(history):
        state, index = state_of(history[:i])  # refuses nothing real
        check_update(update, state, index=index)
    check_and_apply(child, history[:-1], history[-1]) if history else None


@settings(PROPERTY, max_examples=examples(600))
@given(case=damaged())
def test_damaged_real_updates_are_refused_or_safe(
    child: Child, case: tuple[list[bytes], bytes]
) -> None:
    check_and_apply(child, *case)
