"""Check a model's rewrite against its original: a plan is a legal document.

A rewrite is rejected when a number, a frequency or duration word, a name or
placeholder, or a negation has changed or gone, or when it brings in vague
wording ("regular", "as needed") that the original did not have.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from portal.assistant.data import any_vague_term, vague_terms
from portal.assistant.redaction import PLACEHOLDER
from portal.assistant.text import numbers

_UNITS = {
    "minutes": r"\bmin(?:ute)?s?\b|\d+-minute\b",
    "hours": r"\bhours?\b|\bhrs?\b|\d+-hour\b",
    "days": r"\bdays?\b|\bdaily\b",
    "weeks": r"\bweeks?\b|\bweekly\b|\bfortnight(?:ly)?\b",
    "terms": r"(?<!\bin )\bterms?\b(?!\s+of\b)|\btermly\b|\bhalf[- ]term\b",
    "months": r"\bmonths?\b|\bmonthly\b",
    "years": r"\byears?\b|\byearly\b|\bannual(?:ly)?\b",
    "sessions": r"\bsessions?\b",
    "percent": r"%|\bper ?cent\b",
}
_UNIT_PATTERNS = {name: re.compile(p, re.I) for name, p in _UNITS.items()}
NEGATION = re.compile(
    r"\b(?:not|no|never|none|nor|nothing|nobody|without|cannot|unless)\b|n['\u2019]t\b",
    re.I,
)
_NAME = re.compile(r"(?<=[a-z,;:] )[A-Z][a-z]+(?: [A-Z][a-z]+)*")


@dataclass(frozen=True)
class GuardVerdict:
    """Whether a rewrite keeps every fact; `problems` says what changed."""

    ok: bool
    problems: list[str] = field(default_factory=list)


def _names(text: str) -> set[str]:
    """Capitalised words that are not sentence starts (names, places, programmes)."""
    return set(_NAME.findall(text))


def check_rewrite(original: str, rewrite: str) -> GuardVerdict:
    """Compare a rewrite with its original and list every fact it lost or changed."""
    problems = []
    lost_numbers = numbers(original) - numbers(rewrite)
    added_numbers = numbers(rewrite) - numbers(original)
    if lost_numbers:
        problems.append(
            "drops or changes the number(s) "
            + ", ".join(_fmt(n) for n in sorted(lost_numbers))
        )
    if added_numbers:
        problems.append(
            "adds the number(s) " + ", ".join(_fmt(n) for n in sorted(added_numbers))
        )
    for unit, pattern in _UNIT_PATTERNS.items():
        if pattern.search(original) and not pattern.search(rewrite):
            problems.append(f"drops a {unit.rstrip('s')} unit")
    lost_placeholders = Counter(PLACEHOLDER.findall(original)) - Counter(
        PLACEHOLDER.findall(rewrite)
    )
    if lost_placeholders:
        problems.append("drops " + ", ".join(sorted(lost_placeholders)))
    lost_names = {n for n in _names(original) if n not in rewrite}
    if lost_names:
        problems.append("drops the name(s) " + ", ".join(sorted(lost_names)))
    if len(NEGATION.findall(original)) != len(NEGATION.findall(rewrite)):
        problems.append("changes a negation ('not', 'no', 'never', 'without')")
    hits_vague = any_vague_term().search(rewrite) is not None
    for term in vague_terms() if hits_vague else ():
        if term.pattern.search(rewrite) and not term.pattern.search(original):
            problems.append(f"brings in vague wording ('{term.phrase}')")
            break
    if _reads(original) and not _reads(rewrite):
        problems.append("no longer reads as a sentence")
    return GuardVerdict(not problems, problems)


def _reads(text: str) -> bool:
    """Every sentence of `text` reads as a sentence (the parser check)."""
    from portal.assistant.grammar import reads_as_sentence
    from portal.assistant.text import sentences

    spans = sentences(text)
    return bool(spans) and all(reads_as_sentence(s.text) for s in spans)


def _fmt(n: float) -> str:
    return str(int(n)) if n == int(n) else str(n)
