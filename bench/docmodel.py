"""Time turning a document's body into Markdown, against reading the same
words from the old Y.Text, in the same run.

Run: .venv/bin/python bench/docmodel.py
Goal: a whole plan's worth of text (about 60 KB) as Markdown in under 50 ms,
since submitting, versions and the assistant each do it once per request.

Prints the median and p99 of `docmodel.markdown_of` for documents built from
the demo's and the examples' texts, repeated to several sizes, one with bold
and italic on every third word, and `str(Y.Text)` of the same Markdown as the
reference.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pycrdt import Doc, Text, XmlElement, XmlText  # noqa: E402

from portal import docmodel  # noqa: E402
from portal.casefolder import load_case_folder  # noqa: E402
from portal.services.demo import demo_folder  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples"


def corpus() -> str:
    texts = []
    for folder in [demo_folder(), *sorted(EXAMPLES.glob("example*"))]:
        case = load_case_folder(folder)
        texts += [a.body.strip() for a in case.advice]
        texts += [t.strip() for t in case.sections.values()]
    return "\n\n".join(texts) + "\n"


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]


def marked(words: int) -> Doc:
    """Paragraphs of ten words, every third word bold and every fifth italic."""
    ydoc: Doc = Doc()
    body = docmodel.body_of(ydoc)
    with ydoc.transaction():
        for p in range(words // 10):
            text = body.children.append(XmlElement("paragraph")).children.append(
                XmlText()
            )
            for w in range(10):
                n = p * 10 + w
                marks = {"strong": {}} if n % 3 == 0 else {}
                if n % 5 == 0:
                    marks["em"] = {}
                text.insert(
                    len(text), f"word{n} ", marks or {"strong": None, "em": None}
                )
    return ydoc


def main() -> None:
    base = corpus()
    print(f"corpus: {len(base) / 1000:.0f} KB of Markdown from the demo and examples")
    print(f"{'document':<34}{'body p50':>10}{'p99':>9}{'Y.Text p50':>12}{'ratio':>8}")
    for copies in (1, 4, 16):
        markdown = base * copies
        ydoc: Doc = Doc()
        docmodel.replace_markdown(ydoc, markdown)
        old: Doc = Doc()
        old.get("content", type=Text).insert(0, markdown)
        runs = max(5, 60 // copies)
        body_p50, body_p99 = timed(lambda d=ydoc: docmodel.markdown_of(d), runs)
        ref_p50, _ = timed(lambda d=old: str(d.get("content", type=Text)), runs)
        label = f"{len(markdown) / 1000:.0f} KB ({copies}x corpus)"
        print(
            f"{label:<34}{body_p50:>8.1f}ms{body_p99:>7.1f}ms{ref_p50:>10.2f}ms{body_p50 / ref_p50:>7.0f}x"
        )
    ydoc = marked(10_000)
    p50, p99 = timed(lambda: docmodel.markdown_of(ydoc), 10)
    size = len(docmodel.markdown_of(ydoc)) / 1000
    print(f"{f'{size:.0f} KB, marks on every 3rd word':<34}{p50:>8.1f}ms{p99:>7.1f}ms")
    start = time.perf_counter()
    fresh: Doc = Doc()
    docmodel.replace_markdown(fresh, base * 4)
    print(
        f"building the body from {len(base) * 4 / 1000:.0f} KB of Markdown: "
        f"{(time.perf_counter() - start) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
