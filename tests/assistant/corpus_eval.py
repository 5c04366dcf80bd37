"""Score the rules assistant on the development corpus (issue #14).

The tuning part (tests/corpus/tuning) may be read and tuned on; the held-back
part (tests/corpus/heldback) is only scored, and only its totals are shown.
`bench/assistant.py` prints these figures and `test_corpus_eval.py` asserts
the held-back thresholds.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from portal.assistant import CaseMaterial, get_assistant
from portal.assistant.checks.outcomes import outcome_problem
from portal.assistant.checks.provision import wording_finding
from portal.assistant.plain_english import apply_suggestions
from portal.assistant.readability import reading_measures
from portal.assistant.text import sentences
from portal.casefolder import load_case_folder
from tests.assistant.conftest import SCORER

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def _scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("score_findings", SCORER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class CaseScores:
    """Gap recall and precision over a set of case folders (micro-averaged)."""

    cases: int = 0
    expected: int = 0
    found: int = 0
    findings: int = 0
    matched: int = 0
    should_not_flag_hits: int = 0
    per_case: list[dict[str, Any]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.findings if self.findings else 1.0


def case_folders(part: str) -> list[Path]:
    root = CORPUS / part
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if (p / "expected.json").is_file())


def score_part(part: str) -> CaseScores:
    """Score every case of one corpus part with the shared scorer."""
    scorer = _scorer()
    rules = get_assistant("rules")
    out = CaseScores()
    for folder in case_folders(part):
        material = CaseMaterial.from_case_folder(load_case_folder(folder))
        findings = [f.to_dict() for f in rules.check(material)]
        result = scorer.score(folder, findings)
        out.cases += 1
        out.expected += result["expected"]
        out.found += result["tp"]
        out.findings += result["findings"]
        out.matched += result["matched_findings"]
        out.should_not_flag_hits += result["should_not_flag_hits"]
        out.per_case.append(result)
    return out


@dataclass
class WordingScores:
    """How many vague wordings are flagged and specific ones wrongly flagged."""

    vague: int = 0
    vague_flagged: int = 0
    specific: int = 0
    specific_flagged: int = 0
    wrong: list[dict[str, Any]] = field(default_factory=list)

    @property
    def vague_rate(self) -> float:
        return self.vague_flagged / self.vague if self.vague else 1.0

    @property
    def specific_rate(self) -> float:
        return self.specific_flagged / self.specific if self.specific else 0.0


WORDING_TIMEFRAME = "By the end of the school year (July 2026):"


def flags_wording(kind: str, text: str) -> str | None:
    """The rules' message for one provision or outcome wording, or None."""
    if kind == "provision":
        finding = wording_finding(text)
        return finding.message if finding else None
    # A wording stands alone: its plan gives the timeframe in the heading above
    # it ("By the end of Year 6 (July 2026):"), so the wording itself is judged
    # for what it says: provision or outcome, and measurable or not.
    return outcome_problem(text, WORDING_TIMEFRAME)


def score_wordings() -> WordingScores:
    path = CORPUS / "wordings.json"
    out = WordingScores()
    if not path.is_file():
        return out
    for w in json.loads(path.read_text("utf-8"))["wordings"]:
        message = flags_wording(w["kind"], w["text"])
        if w["label"] == "vague":
            out.vague += 1
            out.vague_flagged += message is not None
            if message is None:
                out.wrong.append(w)
        else:
            out.specific += 1
            out.specific_flagged += message is not None
            if message is not None:
                out.wrong.append({**w, "message": message})
    return out


@dataclass
class RewriteScores:
    """Accepting every rewrite on the jargon paragraphs."""

    paragraphs: int = 0
    ease_gain: float = 0.0  # average Flesch reading ease gained
    age_drop: float = 0.0  # average reading age lowered
    lost: list[str] = field(default_factory=list)  # "id: token" no longer there
    ungrammatical: list[str] = field(default_factory=list)
    unchanged: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)


def score_rewrites() -> RewriteScores:
    from portal.assistant.grammar import reads_as_sentence
    from portal.assistant.text import numbers

    path = CORPUS / "jargon_paragraphs.json"
    out = RewriteScores()
    if not path.is_file():
        return out
    rules = get_assistant("rules")
    gains, drops = [], []
    for p in json.loads(path.read_text("utf-8"))["paragraphs"]:
        text = p["text"]
        plain = apply_suggestions(text, rules.suggest(text))
        before, after = reading_measures(text), reading_measures(plain)
        gains.append(after.flesch_reading_ease - before.flesch_reading_ease)
        drops.append(before.reading_age - after.reading_age)
        out.unchanged += plain == text
        out.lost += [f"{p['id']}: {t}" for t in p["keep"] if t not in plain]
        if numbers(plain) != numbers(text):
            out.lost.append(
                f"{p['id']}: numbers {sorted(numbers(text) ^ numbers(plain))}"
            )
        out.ungrammatical += [
            f"{p['id']}: {s.text}"
            for s in sentences(plain)
            if not reads_as_sentence(s.text)
        ]
        out.rows.append(
            {
                "id": p["id"],
                "before": before.flesch_reading_ease,
                "after": after.flesch_reading_ease,
                "plain": plain,
            }
        )
    out.paragraphs = len(gains)
    out.ease_gain = sum(gains) / len(gains) if gains else 0.0
    out.age_drop = sum(drops) / len(drops) if drops else 0.0
    return out
