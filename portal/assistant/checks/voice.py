"""Q4: Section A in the child's own voice."""

from __future__ import annotations

import re

from portal.assistant.base import CaseMaterial, Finding
from portal.assistant.plan_parse import prose_blocks

_PARENT_HEADING = re.compile(
    r"\b(?:parents?|mum|mother|dad|father|carers?|family|grand\w+|foster|guardian)\b",
    re.I,
)
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|I'd|I'll|my|me|mine|myself)\b|\bI\u2019")
# "Sam wants to have friends", "She says she loves art": the child's own wish
# or view, reported in the third person, is still the child's voice.
_ATTRIBUTED = (
    r"\s+(?:(?:really|also|often|always)\s+)?(?:wants?|would\s+(?:like|love)|says?|said|"
    r"told|tells|likes?|loves?|enjoys?|hopes?|dreams?|wish(?:es)?|thinks?|feels?|"
    r"is\s+proud|is\s+good\s+at|is\s+interested|describes?|explained|shared|"
    r"chose|dislikes?|hates?|does\s+not\s+like|doesn't\s+like|worries|is\s+scared)\b"
)
_PROFESSIONAL = re.compile(
    r"\b(?:presents?\s+(?:as|with)|demonstrat\w+|engagement|displays?|exhibits?|deficits?|"
    r"non-compliant|is reported to|significant(?:ly)? (?:delay|difficult)\w*|"
    r"limited|lacks?|poor|below (?:age|expected)|behaviours?\s+of\s+concern|"
    r"challenging behaviour|difficulties with)\b",
    re.I,
)
_PLACEHOLDER = re.compile(
    r"\[[^\]]*\]|\b(?:tbc|to be (?:added|completed|confirmed)|views (?:not|were not) "
    r"(?:obtained|available|gathered)|not available|lorem ipsum)\b",
    re.I,
)


def _child_sentences(section: str) -> list[str]:
    out = []
    for block in prose_blocks(section):
        if _PARENT_HEADING.search(block.heading):
            continue
        out += [s.text for s in block.sentences()]
    return out


def check_child_voice(material: CaseMaterial) -> list[Finding]:
    """One finding for Section A written about, not by, the child (or left as a placeholder)."""
    section = material.sections.get("A", "")
    if not section.strip():
        return [
            Finding(
                "A",
                "section_a_not_child_voice",
                "high",
                "Section A is empty: it must give the child's own views.",
            )
        ]
    child = _child_sentences(section)
    placeholder = next((s for s in child if _PLACEHOLDER.search(s)), None)
    if placeholder:
        return [
            Finding(
                "A",
                "section_a_not_child_voice",
                "high",
                "Section A holds a placeholder where the child's views should be.",
                placeholder,
            )
        ]
    attributed = re.compile(
        rf"\b(?:{re.escape(material.first_name)}|he|she|they){_ATTRIBUTED}", re.I
    )
    has_voice = any(_FIRST_PERSON.search(s) or attributed.search(s) for s in child)
    scored = sorted(
        ((len(_PROFESSIONAL.findall(s)), -i, s) for i, s in enumerate(child)),
        reverse=True,
    )
    worst = scored[0] if scored else None
    if has_voice and (worst is None or worst[0] < 2):
        return []
    if worst is None:
        return []
    message = (
        "Section A describes the child in the third person"
        + (" using professional, deficit-led language" if worst[0] else "")
        + f". Use {material.first_name}'s own words (first person), from 'all about me' work."
    )
    return [Finding("A", "section_a_not_child_voice", "high", message, worst[2])]
