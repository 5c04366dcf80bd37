"""Q11: acronyms spelt out at first use, technical terms explained."""

from __future__ import annotations

import re
from functools import cache

from portal.assistant.base import CaseMaterial, Finding
from portal.assistant.data import acronyms, plain_words
from portal.assistant.text import trie_pattern

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
    "DVD PC PCs II III IV VI XI DfE TBC TBA CE RC BMX USA EU UN SENCo SENDCo SENCO SENDCO".split()
) - {"VI"}
_TECHNICAL_SKIP = {
    "fine motor",
    "gross motor",
    "fine motor skills",
    "gross motor skills",
    "working memory",
    "cognitive",
    "meltdown",
    "masking",
    "dyspraxia",
    "formulation",
    "centile",
}
_EXPLAINED_AFTER = re.compile(
    r"\s*(?:\(|,?\s*(?:which|that is|this means|meaning|i\.e\.|a\s+way|an?\s+\w+\s+(?:that|where|which))|"
    r"\s*[:\u2013\u2014-]\s)",
    re.I,
)


# Professional phrases real reports use heavily, with a plain meaning; the
# rewriter explains each once, in brackets after its first use.
PHRASES: dict[str, str] = {
    "sensory regulation": "staying calm and alert by managing sounds, touch and movement",
    "sensory processing": "how the brain takes in sounds, sights, touch and movement",
    "sensory integration": "how the brain puts together what the senses tell it",
    "emotional regulation": "managing strong feelings",
    "self-regulation": "calming down and managing feelings and actions",
    "reciprocal social interaction": "the back-and-forth of being with other people",
    "phonological processing": "working with the sounds in words",
    "phonological awareness": "hearing and playing with the sounds in words",
    "pragmatic language": "using language in social situations",
    "receptive language": "understanding what people say",
    "expressive language": "putting thoughts into words",
    "executive functioning": "planning, organising and starting tasks",
    "executive function": "planning, organising and starting tasks",
    "working memory": "holding information in mind while using it",
    "processing speed": "how quickly he or she takes in and uses information",
    "auditory processing": "making sense of what is heard",
    "visual processing": "making sense of what is seen",
    "motor planning": "planning and carrying out movements",
    "bilateral coordination": "using both sides of the body together",
    "proprioceptive": "sensing where the body is",
    "vestibular": "the sense of balance and movement",
    "interoception": "noticing signals from inside the body, such as hunger",
    "joint attention": "sharing attention on the same thing with another person",
    "theory of mind": "understanding that others have their own thoughts",
    "central coherence": "seeing the whole picture, not just details",
    "narrative skills": "telling a story or recounting events in order",
    "semantic knowledge": "knowing what words mean",
    "word retrieval": "finding the word you want",
    "verbal reasoning": "thinking and solving problems with words",
    "non-verbal reasoning": "solving problems with shapes and pictures",
    "visual perception": "making sense of what the eyes see",
    "visual-motor integration": "coordinating eyes and hands",
    "co-regulation": "an adult helping a child to calm down",
    "demand avoidance": "avoiding everyday requests because of anxiety",
    "zones of regulation": "a programme that teaches children to name and manage feelings",
}


@cache
def technical_terms() -> re.Pattern[str]:
    """Clinical and teaching terms from plain_words.json that need explaining."""
    terms = [
        word
        for word, entry in plain_words().items()
        if entry.category == "clinical" and word not in _TECHNICAL_SKIP
    ] + [
        t
        for t in ("decoding", "scaffolding", "multi-sensory", *PHRASES)
        if t not in _TECHNICAL_SKIP
    ]
    return re.compile(rf"\b(?:{trie_pattern(terms)})\b", re.I)


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


# Acronyms are checked in the plan's own text: not in the title block, not in
# Section A (the child's and family's own words: "I use FL Studio") and not in
# Section K, which lists advice by its titles.
_NOT_CHECKED = ("", "A", "K")
_NAME_PREFIX = re.compile(r"^(?:Mc|Mac|De|Le|La|Di|Van|Von|O)[A-Z]")


def _is_spelt_out(token: str, plan: str, lowered: str, pos: int) -> bool:
    window = plan[max(0, pos - 120) : pos + len(token) + 120]
    if re.search(rf"\w[\w ,'-]{{3,}}\(\s*{re.escape(token)}s?\s*\)", window):
        return True  # "teaching assistant (TA)"
    # Case matters: "ASC (July 2025, ...)" is a date in brackets, not a meaning.
    if re.compile(rf"{re.escape(token)}s?\s*\(\s*[a-z]").match(plan, pos):
        return True  # "DLD (developmental language disorder)"
    known = acronyms().get(token)
    if known:
        # Spelt out anywhere in the plan's own text (not in K's list of
        # advice titles): "educational psychologist" in B explains EP in E.
        return any(v in lowered for v in _expansions(known.expansion))
    return False


@cache
def _expansions(expansion: str) -> tuple[str, ...]:
    """'educational psychologist / psychology' -> each spelling, lower case."""
    base = re.sub(r"\s*\(.*?\)", "", expansion).lower()
    parts = [p.strip() for p in re.split(r"\s+/\s+|\s+or\s+", base) if p.strip()]
    return tuple(p for p in parts if len(p) > 3) or (base.strip(),)


def _is_word(token: str, words: set[str]) -> bool:
    """True when the token also appears in ordinary case ('DRAFT' and 'draft')."""
    return token.lower() in words or token.lower().capitalize() in words


# Walking back more words than this to make a quote unique is not worth a
# pass over the plan each: the quote is then shown as it is.
_QUOTE_WORDS = 8


_AFTER = re.compile(r"(?:[ \t]+[\w'-]+){0,2}")
_BEFORE = re.compile(r"(?:[\w'-]+[ \t]+){0,2}$")


def _quote(plan: str, pos: int, end: int) -> str:
    """The acronym with the words after it on its line ("CAMHS looked after
    children team"), widened back until the span is unique in the plan."""
    after = _AFTER.match(plan, end)
    end = after.end() if after else end
    before = _BEFORE.search(plan, max(0, pos - 60), pos)
    start = before.start() if before else pos
    for _ in range(_QUOTE_WORDS):
        if start <= 0 or plan.count(plan[start:end]) <= 1:
            break
        start = plan.rfind(" ", 0, start - 1) + 1 if start > 1 else 0
    return plan[start:end]


def check_acronyms(material: CaseMaterial) -> list[Finding]:
    """Each acronym's first use must be spelt out (or spelt out earlier)."""
    plan, index = _plan_text(material)
    lowered = "\n\n".join(
        t for k, t in material.sections.items() if k not in _NOT_CHECKED
    ).lower()
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
        if _NAME_PREFIX.match(token):
            continue  # McBride, MacLeod, DeSouza: names, not acronyms
        # Only the stretch since the last acronym is searched for a newline,
        # so a long line is scanned once, not once per acronym on it.
        line_start = max(line_start, plan.rfind("\n", scanned, m.start()) + 1)
        scanned = m.start()
        if _HEADING.match(plan, line_start, m.start()):
            continue  # headings are labels; the first use is in the text
        section = _section_at(index, m.start())
        if section in _NOT_CHECKED:
            continue  # the family's words, the title block, the list of advice
        seen.add(base)
        if base not in known and _is_word(base, words):
            continue  # a shouted word ("DRAFT")
        if _is_spelt_out(base, plan, lowered, m.start()):
            continue
        meaning = f" ({known[base].expansion})" if base in known else ""
        findings.append(
            Finding(
                section,
                "jargon_unexplained",
                "medium",
                f"The acronym {base}{meaning} is not spelt out the first time it is used.",
                _quote(plan, m.start(), m.end()),
            )
        )
        if len(findings) >= MAX_ACRONYM_FINDINGS:
            break
    return findings


_IN_BRACKETS_BEFORE = re.compile(r"\(\s*$")
_CLOSES = re.compile(r"\s*\)")
_KNOWN_AS = re.compile(r"(?:known as|called|termed|described as)\s+$", re.I)


def _explained_before(text: str, start: int, end: int) -> bool:
    """'hearing the sounds in words (phonological awareness)': the meaning
    comes first and the term follows in brackets, or 'known as' the term."""
    before = text[max(0, start - 40) : start]
    if _IN_BRACKETS_BEFORE.search(before) and _CLOSES.match(text, end):
        return len(before.split()) >= 2
    return bool(_KNOWN_AS.search(before))


def term_meaning(term: str) -> str:
    """A plain meaning for a technical term."""
    term = term.lower()
    if term in PHRASES:
        return PHRASES[term]
    entry = plain_words().get(term)
    return entry.plain if entry else term


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
            # Matched at the term's end, not on a slice: slicing copied the
            # rest of the section once per term (quadratic in a long section).
            if _EXPLAINED_AFTER.match(text, m.end()) or _explained_before(
                text, m.start(), m.end()
            ):
                continue
            plain = term_meaning(term)
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
