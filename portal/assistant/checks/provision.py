"""Q2: provision must be specified and quantified (Sections F, G, H1, H2)."""

from __future__ import annotations

import re

from portal.assistant.base import CaseMaterial, Finding
from portal.assistant.data import VagueTerm, vague_terms
from portal.assistant.plan_parse import Item, is_nil, parse_items
from portal.assistant.text import NUMBER, followed_in_clause

PROVISION_KEYS = ("F", "G", "H1", "H2", "H")
# A stated amount next to a vague word usually settles it ("regular weekly
# 30-minute sessions"); these categories are weak whatever numbers appear.
_ALWAYS_WEAK = {"availability", "conditional", "hedging", "delegation", "universal"}
_ALWAYS_WEAK_IDS = {"up_to"}
QUANTITY = re.compile(
    r"\b(?:every|each|daily|weekly|fortnightly|termly|annually|monthly|per|"
    r"a\s+(?:day|week|term|month|year)|all\s+(?:lessons|day)|throughout)\b|"
    + NUMBER.pattern,
    re.I,
)
_SERVICE = re.compile(
    r"\b(?:therap\w*|support\w*|sessions?|programmes?|interventions?|help|input|teaching|"
    r"tuition|mentoring|counselling|work(?:s|ing)? with|care|training)\b",
    re.I,
)
_BY = re.compile(r"\b(?:by|from|with|led|run|delivered)\b", re.I)
_DELIVERER = re.compile(
    r"\b(?:teacher|assistant|ta|therapist|"
    r"psychologist|nurse|adult|senco|sendco|staff|worker|mentor|clinician|coach|elsa|"
    r"practitioner|instructor|team|officer|adviser|advisor)\b",
    re.I,
)
_DELIVERER_WILL = re.compile(
    r"\b(?:teacher|assistant|ta|therapist|psychologist|nurse|adult|senco|sendco|staff|"
    r"worker|mentor|clinician|elsa)s?\s+will\b",
    re.I,
)


def _names_who(text: str) -> bool:
    """ "delivered by a teaching assistant", "the therapist will": who does it."""
    return bool(_DELIVERER_WILL.search(text)) or followed_in_clause(
        text, _BY, _DELIVERER
    )


def _missing_fields(text: str) -> list[str]:
    missing = []
    if not re.search(r"\b(?:every|each|daily|weekly|once|twice|times?|per|a\s+week|"
                     r"a\s+day|termly|fortnightly)\b", text, re.I):  # fmt: skip
        missing.append("how often")
    if not re.search(
        r"\b\d+[- ]?(?:minutes?|mins?|hours?|hrs?|weeks?|sessions?)\b", text, re.I
    ):
        missing.append("for how long")
    if not _names_who(text):
        missing.append("who delivers it")
    if not re.search(r"\b(?:1:1|one[- ]to[- ]one|individual|group of|pupils|children|"
                     r"ratio|pair|no more than)\b", text, re.I):  # fmt: skip
        missing.append("group size")
    return missing


def _vague_hits(sentence: str, has_amount: bool) -> list[VagueTerm]:
    hits = []
    for term in vague_terms():
        if not term.pattern.search(sentence):
            continue
        weak_anyway = term.category in _ALWAYS_WEAK or term.id in _ALWAYS_WEAK_IDS
        if weak_anyway or not has_amount:
            hits.append(term)
    return hits


def _item_finding(key: str, item: Item) -> Finding | None:
    # Searched once per item, not once per sentence (quadratic in a long item).
    has_amount = bool(QUANTITY.search(item.text))
    for sentence in item.sentences():
        hits = _vague_hits(sentence.text, has_amount)
        if hits:
            worst = "high" if any(h.severity == "high" for h in hits) else "medium"
            if all(h.severity == "low" for h in hits):
                worst = "low"
            phrases = ", ".join(f"'{h.phrase}'" for h in hits[:3])
            missing = _missing_fields(item.text)
            message = f"Vague provision ({phrases}): {hits[0].why_weak}"
            if missing:
                message += f" Say {', '.join(missing)}."
            return Finding(key, "unquantified_provision", worst, message, sentence.text)
    if not QUANTITY.search(item.text) and _SERVICE.search(item.text):
        missing = _missing_fields(item.text)
        return Finding(
            key,
            "unquantified_provision",
            "medium",
            f"This provision is not quantified. Say {', '.join(missing)}.",
            item.text,
        )
    return None


def check_provision_quantified(material: CaseMaterial) -> list[Finding]:
    """One finding per vague or unquantified provision item."""
    findings = []
    for key in PROVISION_KEYS:
        text = material.sections.get(key, "")
        if not text or is_nil(text):
            continue
        for item in parse_items(text):
            finding = _item_finding(key, item)
            if finding:
                findings.append(finding)
    return findings
