"""Q11: acronyms spelt out at first use, technical terms explained."""

from __future__ import annotations

import re
from functools import cache

from portal.assistant.base import CaseMaterial, Finding
from portal.assistant.data import acronyms, plain_words

# A whole word: two capitals, then capitals and digits with at most one small
# letter among them ("SENCO", "ABcD", "AB1C"), or "SaLT". Possessive
# quantifiers: the old `[A-Z]{2,}[a-z]?[A-Z0-9]*` let the engine try every way
# of splitting a long run of capitals between two quantifiers before giving
# up at its end (250,000 capitals then "_" took minutes).
ACRONYM = re.compile(
    r"\b(?:[A-Z]{2,}+(?:[a-z][A-Z0-9]*+|[A-Z0-9]*+)|[A-Z][a-z][A-Z][A-Za-z]*+)\b"
)
# Findings from this check per report: each costs a pass over the plan.
MAX_ACRONYM_FINDINGS = 100
MAX_ACRONYM_LENGTH = 15
_WORD = re.compile(r"\w+")
_HEADING = re.compile(r"\s*#")
# Widely understood in England; spelling these out is optional.
COMMON = frozenset(
    "GCSE GCSEs NHS UK GP PE IT ICT TV OK BBC RE DT PDF USB AM PM ID CV BTEC SATs SAT MP "
    "DVD PC II III IV VI XI DfE TBC TBA".split()
) - {"VI"}
_TECHNICAL_SKIP = {
    "cognitive",
    "meltdown",
    "masking",
    "dyspraxia",
    "formulation",
    "centile",
}
_EXPLAINED_AFTER = re.compile(
    r"^\s*(?:\(|,?\s*(?:which|that is|this means|meaning|i\.e\.|a\s+way|an?\s+\w+\s+(?:that|where|which))|"
    r"\s*[:\u2013\u2014-]\s)",
    re.I,
)


@cache
def technical_terms() -> re.Pattern[str]:
    """Clinical and teaching terms from plain_words.json that need explaining."""
    terms = [
        word
        for word, entry in plain_words().items()
        if entry.category == "clinical" and word not in _TECHNICAL_SKIP
    ] + ["phonological awareness", "decoding", "scaffolding", "multi-sensory"]
    alternation = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternation})\b", re.I)


def _plan_text(material: CaseMaterial) -> tuple[str, list[tuple[int, str]]]:
    """The whole plan as one string, with (offset, section key) for each part."""
    parts, index, pos = [], [], 0
    for key, text in [("", material.preamble), *material.sections.items()]:
        index.append((pos, key))
        parts.append(text)
        pos += len(text) + 2
    return "\n\n".join(parts), index


def _section_at(index: list[tuple[int, str]], pos: int) -> str:
    key = ""
    for start, name in index:
        if start <= pos:
            key = name
    return key


def _is_spelt_out(token: str, plan: str, lowered: str, pos: int) -> bool:
    window = plan[max(0, pos - 120) : pos + len(token) + 120]
    if re.search(rf"\w[\w ,'-]{{3,}}\(\s*{re.escape(token)}s?\s*\)", window):
        return True  # "teaching assistant (TA)"
    if re.compile(rf"{re.escape(token)}s?\s*\(\s*[a-z]", re.I).match(plan, pos):
        return True  # "DLD (developmental language disorder)"
    known = acronyms().get(token)
    if known:
        expansion = re.escape(known.expansion.split("(")[0].strip().lower())
        return bool(re.compile(expansion).search(lowered, 0, pos + 200))
    return False


def _is_word(token: str, words: set[str]) -> bool:
    """True when the token also appears in ordinary case ('DRAFT' and 'draft')."""
    return token.lower() in words or token.lower().capitalize() in words


# Walking back more words than this to make a quote unique is not worth a
# pass over the plan each: the quote is then shown as it is.
_QUOTE_WORDS = 8


def _quote(plan: str, pos: int, end: int) -> str:
    """The shortest span around plan[pos:end] that is unique in the plan."""
    start = pos
    for _ in range(_QUOTE_WORDS):
        if start <= 0 or plan.count(plan[start:end]) <= 1:
            break
        start = plan.rfind(" ", 0, start - 1) + 1 if start > 1 else 0
    return plan[start:end]


def check_acronyms(material: CaseMaterial) -> list[Finding]:
    """Each acronym's first use must be spelt out (or spelt out earlier)."""
    plan, index = _plan_text(material)
    lowered = plan.lower()
    words = set(_WORD.findall(plan))
    seen: set[str] = set()
    findings: list[Finding] = []
    known = acronyms()
    line_start, scanned = 0, 0
    for m in ACRONYM.finditer(plan):
        token = m.group()
        if len(token) > MAX_ACRONYM_LENGTH:
            continue  # a shouted run of capitals, not an acronym
        base = token[:-1] if token.endswith("s") and token[:-1] in known else token
        if base in seen or base in COMMON or token in COMMON:
            continue
        # Only the stretch since the last acronym is searched for a newline,
        # so a long line is scanned once, not once per acronym on it.
        line_start = max(line_start, plan.rfind("\n", scanned, m.start()) + 1)
        scanned = m.start()
        if _HEADING.match(plan, line_start, m.start()):
            continue  # headings are labels; the first use is in the text
        seen.add(base)
        if base not in known and _is_word(base, words):
            continue  # a shouted word ("DRAFT")
        if _is_spelt_out(base, plan, lowered, m.start()):
            continue
        meaning = f" ({known[base].expansion})" if base in known else ""
        findings.append(
            Finding(
                _section_at(index, m.start()),
                "jargon_unexplained",
                "medium",
                f"The acronym {base}{meaning} is not spelt out the first time it is used.",
                _quote(plan, m.start(), m.end()),
            )
        )
        if len(findings) >= MAX_ACRONYM_FINDINGS:
            break
    return findings


def check_technical_terms(material: CaseMaterial) -> list[Finding]:
    """Clinical terms used in the plan (outside Section A) without an explanation."""
    seen: set[str] = set()
    findings = []
    for key, text in material.sections.items():
        if key in ("A", "K"):
            continue  # the family's own words; advice titles
        for m in technical_terms().finditer(text):
            term = m.group().lower()
            if term in seen:
                continue
            seen.add(term)
            if _EXPLAINED_AFTER.match(text[m.end() :]):
                continue
            plain = plain_words()[term].plain
            findings.append(
                Finding(
                    key,
                    "jargon_unexplained",
                    "low",
                    f"'{m.group()}' is a technical term: explain it, e.g. '{plain}'.",
                    m.group(),
                )
            )
    return findings
