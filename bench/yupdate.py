"""Time the Yjs update validator against pycrdt applying the same bytes.

Run: .venv/bin/python bench/yupdate.py
Goal: a keystroke checked in under 50 µs.

For each update it prints the median and p99 of `check_update` (with and
without a DocIndex) and of `pycrdt.Doc().apply_update` on the same bytes, in
the same run, and their ratio. A keystroke applied to a fresh Doc stays pending
there, so that pycrdt figure is decoding plus bookkeeping, not integration.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pycrdt import Doc, Text, XmlElement, XmlFragment, XmlText  # noqa: E402

from portal.doclog.yupdate import (  # noqa: E402
    DocIndex,
    advance,
    check_update,
)

Sample = tuple[str, bytes, dict[int, int], DocIndex]


def keystroke() -> Sample:
    """One character typed by one browser between two of another's (32-bit ids)."""
    author: Doc = Doc(client_id=2_718_281_828)
    author["t"] = text = Text()
    for word in ("The child reads ", "with support ", "from an adult. ") * 20:
        text.insert(len(text), word)
    typist: Doc = Doc(client_id=3_141_592_653)
    typist.apply_update(author.get_update())
    before = typist.get_state()
    typist.get("t", type=Text).insert(100, "x")
    return _sample("keystroke", typist.get_update(before), [author.get_update()])


def paste() -> Sample:
    """About 200 KB of text pasted in one go."""
    doc: Doc = Doc(client_id=2)
    doc["t"] = text = Text()
    text.insert(0, "Needs help with reading, writing and maths. ñ ✓ " * 4300)
    return _sample("200 KB paste", doc.get_update(), [])


def scattered() -> Sample:
    """About 250 KB of small structs: three clients typing and deleting at random."""
    rng = random.Random(1)
    docs: list[Doc] = [
        Doc(client_id=c) for c in (1_000_000_007, 2_000_000_011, 3_000_000_019)
    ]
    for doc in docs:
        doc["t"] = Text()
    for _ in range(6000):
        for doc in docs:
            text = doc.get("t", type=Text)
            if len(text) > 10 and rng.random() < 0.2:
                at = rng.randrange(len(text) - 2)
                del text[at : at + 2]
            else:
                text.insert(rng.randrange(len(text) + 1), rng.choice("abcdefgh "))
        for doc in docs:
            for other in docs:
                if other is not doc:
                    other.apply_update(doc.get_update(other.get_state()))
    return _sample("250 KB of small structs", docs[0].get_update(), [])


def prosemirror() -> Sample:
    """A ProseMirror-shaped document: 1,500 paragraphs with marked text."""
    doc: Doc = Doc(client_id=6)
    doc["prosemirror"] = fragment = XmlFragment()
    for i in range(1500):
        para = fragment.children.append(XmlElement("paragraph", {"id": str(i)}))
        words = para.children.append(XmlText("Attends a speech and language group."))
        words.format(0, 7, {"strong": {}})
    return _sample("XML, 1,500 paragraphs", doc.get_update(), [])


def _sample(name: str, update: bytes, base: list[bytes]) -> Sample:
    """The update, and the state and index of the document it is applied to."""
    state: dict[int, int] = {}
    index = DocIndex()
    for part in base:
        advance(state, check_update(part, state, index=index), index)
    return name, update, state, index


def timed(run: Callable[[], object], rounds: int) -> tuple[float, float]:
    """Median and p99 in seconds."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1]


def show(seconds: float) -> str:
    return f"{seconds * 1e6:8.1f} µs" if seconds < 1e-3 else f"{seconds * 1e3:8.2f} ms"


def measure(sample: Sample, rounds: int) -> None:
    """Print one update's rows: check alone, check with an index, pycrdt."""
    name, update, state, index = sample
    summary = check_update(update, state)
    rows = {
        "check_update": timed(lambda: check_update(update, state), rounds),
        "  with a DocIndex": timed(
            lambda: check_update(update, state, index=index), rounds
        ),
        "pycrdt Doc().apply_update": timed(lambda: Doc().apply_update(update), rounds),
    }
    for i, (what, (median, p99)) in enumerate(rows.items()):
        head = f"{name:26} {len(update):8} {summary.structs:8}" if i == 0 else " " * 44
        print(f"{head}  {what:25} {show(median)} {show(p99)}")
    ratio = rows["check_update"][0] / rows["pycrdt Doc().apply_update"][0]
    print(f"{'':44}  check / apply (medians): {ratio:.1f}x")


def main() -> None:
    print(
        f"{'update':26} {'bytes':>8} {'structs':>8}  {'':25} {'median':>11} {'p99':>11}"
    )
    for make, rounds in (
        (keystroke, 20_000),
        (paste, 200),
        (scattered, 30),
        (prosemirror, 30),
    ):
        measure(make(), rounds)


if __name__ == "__main__":
    main()
