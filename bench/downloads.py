"""Time rendering a 10,000-word plan to PDF (WeasyPrint) and to Word
(python-docx), as a download does.

Run: .venv/bin/python bench/downloads.py [words] [runs]
Goal: a long plan in a few seconds, since the person waits for the file.

The plan is the demo's sections A-K (headings, bulleted and numbered lists,
a table kept as lines of cells), repeated until it holds the words asked for,
with a footnote on every tenth paragraph. Prints the median and the
slowest of several runs of each format, the median CPU time (which a busy
machine does not inflate), and the file sizes.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from portal.casefolder import load_case_folder  # noqa: E402
from portal.services import plan_docx, plan_export, plan_pdf  # noqa: E402
from portal.services.demo import demo_folder  # noqa: E402

TABLE = (
    "Provision | Who | Hours a week\\\n"
    "Speech and language therapy | Therapist | 2\\\n"
    "Small-group reading | Teaching assistant | 3\n"
)


def plan(words: int) -> plan_export.Export:
    """Sections A-K of about words / 12 words each, made of the demo plan's
    paragraphs, lists and headings in turn."""
    sections = load_case_folder(demo_folder()).sections
    pool = [b for text in sections.values() for b in text.strip().split("\n\n") if b]
    keys = list(plan_export.SECTION_TITLES)
    notes: list[str] = []
    parts = []
    at = plain = 0
    for key in keys:
        blocks: list[str] = [TABLE] if key == "F" else []
        count = 0
        while count < words // len(keys):
            block = pool[at % len(pool)]
            at += 1
            if not block.startswith(("#", "-", "1")):
                plain += 1
                if plain % 10 == 0:
                    notes.append(f"From Psychological advice by Dr Martin Hale ({at})")
                    block += f"\ue000{len(notes)}\ue001"
            blocks.append(block)
            count += len(block.split())
        markdown = "\n\n".join(blocks)
        parts.append(plan_export.Part(plan_export.section_heading(key), markdown))
    return plan_export.Export(
        title="Education, Health and Care Plan",
        version_label="Draft as it stood on 5 December 2026",
        cover=[
            ("Name", "Leo Marchetti"),
            ("Local authority", "Eastbridge County Council"),
        ],
        parts=parts,
        draft=True,
        notes=notes,
        footer="Leo Marchetti: Education, Health and Care Plan",
    )


def timed(fn: Callable[[], bytes], runs: int) -> tuple[float, float, float, int]:
    """Median and slowest wall-clock seconds, median CPU seconds (the same
    on a busy machine), and the file's size."""
    times, cpu, size = [], [], 0
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        size = len(fn())
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(times), max(times), statistics.median(cpu), size


def main() -> None:
    words = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    export = plan(words)
    total = sum(len(p.markdown.split()) for p in export.parts)
    print(
        f"plan: {total} words in {len(export.parts)} sections, {len(export.notes)} footnotes"
    )
    plan_pdf.write_pdf(export)  # warm up fonts and imports
    for name, render in (
        ("PDF", plan_pdf.write_pdf),
        ("DOCX", plan_docx.write_docx),
    ):
        median, slowest, cpu, size = timed(lambda r=render: r(export), runs)  # type: ignore[misc]
        print(
            f"{name:5} median {median:.2f} s (CPU {cpu:.2f} s), slowest {slowest:.2f} s "
            f"over {runs} runs, {size / 1024:.0f} KB"
        )


if __name__ == "__main__":
    main()
