"""Time the rules assistant on a large case and a long section.

Run: .venv/bin/python bench/assistant.py
Goals: a whole-case check under 100 ms, suggestions for one section under 20 ms.
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from portal.assistant import CaseMaterial, get_assistant  # noqa: E402
from portal.casefolder import load_case_folder  # noqa: E402

CASES = Path(__file__).resolve().parents[1] / "tests" / "assistant" / "cases"
RUNS = 30


def _renumber(section: str, letter: str, offset: int) -> str:
    return re.sub(
        rf"\b{letter}(\d+)\b", lambda m: f"{letter}{int(m.group(1)) + offset}", section
    )


def big_material(target_words: int = 10_000) -> CaseMaterial:
    """A plan of about `target_words` words built by repeating the test cases."""
    folders = [
        load_case_folder(p)
        for p in sorted(CASES.iterdir())
        if (p / "case.json").is_file()
    ]
    base = CaseMaterial.from_case_folder(folders[1])
    sections: dict[str, str] = {}
    advice = list(base.advice)
    round_no = 0
    while sum(len(t.split()) for t in sections.values()) < target_words:
        for folder in folders:
            for key, text in folder.sections.items():
                text = _renumber(
                    _renumber(_renumber(text, "B", round_no * 20), "E", round_no * 20),
                    "F",
                    round_no * 20,
                )
                sections[key] = (
                    f"{sections[key]}\n\n{text}" if key in sections else text
                )
            advice += CaseMaterial.from_case_folder(folder).advice
        round_no += 1
    base.sections = sections
    base.advice = advice
    return base


def timed(fn, runs: int = RUNS) -> tuple[float, float]:
    """Median and p90 in milliseconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.9 * (len(times) - 1))]


def clear_caches() -> None:
    """Forget memoised parses, so a run sees the plan as if it were all new text."""
    from portal.assistant import text
    from portal.assistant.checks import advice, concepts, provision
    from portal.assistant.plan_parse import parse_items

    for fn in (
        concepts.concepts,
        concepts.content_words,
        concepts.stem,
        text.numbers,
        parse_items,
        advice._is_vague,
        advice._all_words,
        advice._prefixes,
        advice._index_keys,
        provision._item_finding,
        provision.provision_parts,
    ):
        fn.cache_clear()


def main() -> None:
    rules = get_assistant("rules")
    material = big_material()
    words = sum(len(t.split()) for t in material.sections.values())
    advice_words = sum(len(a.text.split()) for a in material.advice)
    section = " ".join(material.sections["F"].split()[:2000])
    rules.check(material)  # warm the caches (word lists, compiled patterns)
    rules.suggest(section)
    check_median, check_p90 = timed(lambda: rules.check(material))
    suggest_median, suggest_p90 = timed(lambda: rules.suggest(section))
    cold_median, cold_p90 = timed(
        lambda: (clear_caches(), rules.check(material)), runs=10
    )
    print(
        f"plan: {words} words in {len(material.sections)} sections; advice: {advice_words} words"
    )
    print(
        f"whole-case check:       median {check_median:6.1f} ms, p90 {check_p90:6.1f} ms (goal < 100)"
    )
    print(
        f"whole-case check, cold: median {cold_median:6.1f} ms, p90 {cold_p90:6.1f} ms "
        "(no memoised parses: every item is new text)"
    )
    print(
        f"suggest, 2,000 words:   median {suggest_median:6.1f} ms, p90 {suggest_p90:6.1f} ms (goal < 20)"
    )


if __name__ == "__main__":
    main()
