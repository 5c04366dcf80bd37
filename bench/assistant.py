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


def timed(fn, runs: int = RUNS, clock=time.perf_counter) -> tuple[float, float]:
    """Median and p90 in milliseconds."""
    times = []
    for _ in range(runs):
        start = clock()
        fn()
        times.append((clock() - start) * 1000)
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
        provision._vague_hits,
        provision.advice_vague_terms,
        provision.provision_parts,
    ):
        fn.cache_clear()


def corpus_figures(verbose: bool = False) -> None:
    """Gap scores for the tuning and held-back cases, separately; the wording
    lists; the rewrites on the jargon paragraphs. Held back: totals only."""
    from tests.assistant.corpus_eval import score_part, score_rewrites, score_wordings

    for part in ("tuning", "heldback"):
        s = score_part(part)
        print(
            f"{part:9} cases: {s.cases:2d}  gap recall {s.recall:.2f} ({s.found}/{s.expected})"
            f"  precision {s.precision:.2f} ({s.matched}/{s.findings})"
            f"  should-not-flag hits {s.should_not_flag_hits}"
            + (
                "   (goal: recall >= 0.9, precision >= 0.85, 0 hits)"
                if part == "heldback"
                else ""
            )
        )
        if verbose and part == "tuning":
            for r in s.per_case:
                for g in r["missed"]:
                    print(
                        f"   missed {r['case']} {g['section']} {g['kind']}: {g['quote']}"
                    )
                for f in r["false_positives"]:
                    print(
                        f"   extra  {r['case']} {f['section']} {f['kind']}: {f['quote']}"
                    )
    w = score_wordings()
    print(
        f"wordings: vague flagged {w.vague_rate:.1%} ({w.vague_flagged}/{w.vague}), "
        f"specific wrongly flagged {w.specific_rate:.1%} ({w.specific_flagged}/{w.specific})"
        "   (goal: >= 95 %, <= 5 %)"
    )
    if verbose:
        for item in w.wrong:
            print(
                f"   wrong {item['label']} {item['kind']}: {item['text']} -- {item.get('message', '')}"
            )
    r = score_rewrites()
    print(
        f"rewrites on {r.paragraphs} jargon paragraphs: Flesch reading ease +{r.ease_gain:.1f} "
        f"on average, reading age -{r.age_drop:.1f}; unchanged {r.unchanged}; "
        f"lost numbers/names/dates {len(r.lost)}; ungrammatical sentences {len(r.ungrammatical)}"
        "   (goal: +10, 0, 0)"
    )
    if verbose:
        for line in r.lost + r.ungrammatical:
            print(f"   {line}")


def main() -> None:
    corpus_figures(verbose="-v" in sys.argv)
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
    cpu_median, cpu_p90 = timed(
        lambda: (clear_caches(), rules.check(material)),
        runs=10,
        clock=time.process_time,
    )
    print(
        f"whole-case check, cold, CPU time: median {cpu_median:6.1f} ms, p90 {cpu_p90:6.1f} ms "
        "(what the check itself costs, whatever else the machine is running)"
    )
    print(
        f"suggest, 2,000 words:   median {suggest_median:6.1f} ms, p90 {suggest_p90:6.1f} ms (goal < 20)"
    )


if __name__ == "__main__":
    main()
