"""Q8 advice complete (Reg 6) and Q9 advice recommendations carried into the plan."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from portal.assistant.base import AdviceItem, CaseMaterial, Finding
from portal.assistant.checks.concepts import (
    STOPWORDS,
    TOKEN,
    concepts,
    content_words,
    stem,
)
from portal.assistant.checks.provision import QUANTITY, advice_vague_terms
from portal.assistant.data import reg6_categories, role_groups, role_reg6, vague_terms
from portal.assistant.plan_parse import Item, is_nil, parse_items
from portal.assistant.text import numbers, sentences

ALWAYS_REQUIRED = ("a", "b", "c", "d", "e")
SENSORY_NEED = re.compile(
    r"\b(?:deaf\w*|hearing (?:loss|impair\w*)|hearing aids?|cochlear|"
    r"vision impair\w*|visual(?:ly)? impair\w*|sight loss|blind\w*|braille|snhl)\b",
    re.I,
)
SENSORY_ADVICE = re.compile(
    r"teacher of (?:the deaf|children with vision|the visually)|\bq?tod\b|\bqtvi\b|"
    r"sensory (?:support|service|teacher|impairment team)|hearing support|vision support",
    re.I,
)
_K_LABELS = {
    "g": re.compile(r"preparing for adulthood|\bpfa\b|careers|transition advi", re.I),
    "d": re.compile(r"psychological advice|educational psycholog", re.I),
    "e": re.compile(
        r"social care|social work|children's services|early help|front door", re.I
    ),
    "c": re.compile(
        r"medical|health|paediatric|therap|nurse|camhs|physio|audiolog|clinical", re.I
    ),
    "b": re.compile(
        r"educational advice|\bsend?co\b|head ?teacher|school|nursery|college|teacher",
        re.I,
    ),
    "a": re.compile(
        r"parent|carer|mother|father|\bviews\b|all about me|young person", re.I
    ),
}
_REC_HEADING = re.compile(r"^\s*(?:#+\s*|\*\*)\s*recommend", re.I)
_LIST_ITEM = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*+\u2022])\s+(.*)$")
QUANTIFIED = re.compile(
    r"\d+\s*(?:x|\u00d7)\s*\d+|\d+[- ]?(?:minutes?|mins?|hours?|sessions?|weeks?|visits?|"
    r"pupils|children)|\b(?:once|twice|three times)\s+(?:a|per|each)\b|\d+\s*%|"
    r"\b(?:weekly|daily|fortnightly|termly)\b",
    re.I,
)
_CARE_ROLES = {"social_worker"}
_THERAPY_ROLES = {
    "speech_language_therapist",
    "occupational_therapist",
    "physiotherapist",
}


@dataclass(frozen=True)
class Recommendation:
    """One quantified recommendation from an advice document."""

    text: str
    advice: AdviceItem

    @property
    def role(self) -> str:
        """The adviser id of the advice it comes from."""
        return self.advice.role

    @property
    def target(self) -> str:
        """Where the plan should carry it: 'F', 'G', 'H' or 'PfA'."""
        group = role_groups().get(self.role, "")
        if self.role in _CARE_ROLES:
            return "H"
        if self.role == "pfa_adviser":
            return "PfA"
        if group == "health" and self.role not in _THERAPY_ROLES:
            return "G"
        return "F"


def _letter(item: AdviceItem) -> str:
    return item.reg6_letter or role_reg6().get(item.role, "")


def _k_letters(section_k: str) -> set[str]:
    """Reg 6 letters of the advice listed in Section K, by each line's label."""
    letters: set[str] = set()
    for line in section_k.splitlines():
        label = line.split(":", 1)[0]
        hits = {k for k, p in _K_LABELS.items() if p.search(label)}
        letters |= hits or {k for k, p in _K_LABELS.items() if p.search(line)}
    return letters


def check_advice_complete(material: CaseMaterial) -> list[Finding]:
    """Q8: each required Reg 6 category is uploaded or listed in K; none is overdue."""
    required = list(ALWAYS_REQUIRED)
    if material.year_group is not None and material.year_group >= 9:
        required.append("g")
    obtained = {_letter(a) for a in material.advice if a.received}
    obtained |= {_letter(a) for a in material.advice_listed_in_k_only}
    obtained |= _k_letters(material.sections.get("K", ""))
    findings = []
    for item in material.advice:
        if not item.received and item.due_date and item.due_date < material.today:
            findings.append(
                Finding(
                    "K",
                    "missing_advice",
                    "high",
                    f"{item.name} was due on {item.due_date:%d %B %Y} and has not "
                    "been received.",
                    link=item.link,
                    link_text=item.name if item.link else "",
                )
            )
    findings += _check_sensory_teacher(material)
    for letter in required:
        if letter in obtained:
            continue
        pending = [
            a for a in material.advice if _letter(a) == letter and not a.received
        ]
        if pending and not any(
            a.due_date and a.due_date < material.today for a in pending
        ):
            continue  # requested and not yet due
        description = reg6_categories()[letter]["description"]
        findings.append(
            Finding(
                "K",
                "missing_advice",
                "high",
                f"Required advice is missing: {description} (Reg 6(1)({letter})). "
                "It is neither uploaded nor listed in Section K.",
            )
        )
    return findings


def _check_sensory_teacher(material: CaseMaterial) -> list[Finding]:
    """Reg 6(2)-(3): a qualified sensory teacher for vision or hearing impairment."""
    needs = " ".join(material.sections.get(k, "") for k in ("B", "C"))
    if not SENSORY_NEED.search(needs):
        return []
    if any(a.role == "sensory_teacher" for a in material.advice if a.received):
        return []
    if SENSORY_ADVICE.search(material.sections.get("K", "")):
        return []
    return [
        Finding(
            "K",
            "missing_advice",
            "high",
            "The plan describes a hearing or vision impairment, so educational advice must "
            "be given after consulting a qualified teacher of the deaf or of children with "
            "vision impairment (Reg 6(2)-(3)). None is uploaded or listed in Section K.",
        )
    ]


def recommendations(advice: list[AdviceItem]) -> list[Recommendation]:
    """Quantified recommendations listed under a 'Recommendations' heading."""
    out = []
    for item in advice:
        in_list = False
        for line in item.text.splitlines():
            if _REC_HEADING.match(line):
                in_list = True
                continue
            if in_list and (
                line.lstrip().startswith(("#", "**")) and not _LIST_ITEM.match(line)
            ):
                in_list = False
            m = _LIST_ITEM.match(line) if in_list else None
            if m and QUANTIFIED.search(m.group(1)):
                out.append(Recommendation(m.group(1).strip(), item))
    return out


@lru_cache(maxsize=8192)
def _all_words(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in TOKEN.findall(text.lower()) if w not in STOPWORDS)


@lru_cache(maxsize=8192)
def _prefixes(words: frozenset[str]) -> frozenset[str]:
    return frozenset(w[:5] for w in words if len(w) >= 5)


@lru_cache(maxsize=8192)
def _index_keys(text: str, ignore: frozenset[str]) -> frozenset[str]:
    words = content_words(text, ignore) | _all_words(text)
    return words | _prefixes(words) | {f"concept:{c}" for c in concepts(text)}


def match_score(rec: str, item: str, ignore: frozenset[str]) -> float:
    """How much of a recommendation an item carries (0-1, words and numbers)."""
    rec_words = content_words(rec, ignore)
    item_words = content_words(item, ignore)
    if len(rec_words) < 3:  # mostly generic words: let them count too
        rec_words, item_words = (
            rec_words | _all_words(rec),
            item_words | _all_words(item),
        )
    if not rec_words:
        return 0.0
    prefixes = _prefixes(item_words)
    shared = [
        w for w in rec_words if w in item_words or (len(w) >= 5 and w[:5] in prefixes)
    ]
    word_share = len(shared) / len(rec_words)
    rec_concepts = concepts(rec)
    concept_share = (
        len(rec_concepts & concepts(item)) / len(rec_concepts) if rec_concepts else 0.0
    )
    if not word_share and not concept_share:
        return 0.0  # shared numbers alone are a coincidence
    rec_numbers = numbers(rec)
    number_share = (
        len(rec_numbers & numbers(item)) / len(rec_numbers)
        if rec_numbers
        else word_share
    )
    return 0.6 * word_share + 0.25 * number_share + 0.15 * concept_share


def _same_amounts(rec: str, item: str) -> bool:
    """The item gives the recommendation's amounts (at least half of them)."""
    rec_numbers = numbers(rec) - {1.0}
    if not rec_numbers:
        return False
    return len(rec_numbers & numbers(item)) * 2 >= len(rec_numbers)


def _related(rec: str, item: str, ignore: frozenset[str]) -> bool:
    """True when an item is about the same thing as a recommendation."""
    shared = content_words(rec, ignore) & content_words(item, ignore)
    return (
        bool(concepts(rec) & concepts(item) - {"expressive", "processing"})
        or len(shared) >= 2
    )


@lru_cache(maxsize=8192)
def _is_vague(text: str) -> bool:
    return not QUANTITY.search(text) or any(
        t.pattern.search(text)
        for t in vague_terms()
        if t.category in ("frequency", "content")
    )


def _plan_items(
    material: CaseMaterial, keys: tuple[str, ...]
) -> list[tuple[str, Item]]:
    out = []
    for key in keys:
        text = material.sections.get(key, "")
        if text and not is_nil(text):
            out += [(key, i) for i in parse_items(text)]
    return out


CARRIED = 0.45


def check_recommendations(
    material: CaseMaterial, recs: list[Recommendation], folded: set[str]
) -> list[Finding]:
    """Q9: quantified recommendations absent from the plan or watered down in it.

    `folded` names targets ('G', 'H', 'PfA') whose missing recommendations are
    already reported inside another finding (for example a health need with no
    health provision), so they are not reported twice.
    """
    ignore = frozenset(w.lower() for w in material.child_name.split())
    candidates = _plan_items(material, ("F", "G", "H1", "H2", "H"))
    index: dict[str, set[int]] = {}
    for n, (_, item) in enumerate(candidates):
        for key in _index_keys(item.text, ignore):
            index.setdefault(key, set()).add(n)
    findings = []
    for rec in recs:
        # Only items sharing a word, a word start or a concept can score above 0.
        hits = set().union(
            *(index.get(k, set()) for k in _index_keys(rec.text, ignore))
        )
        scored = sorted(
            (
                (match_score(rec.text, candidates[n][1].text, ignore), *candidates[n])
                for n in hits
            ),
            key=lambda t: t[0],
            reverse=True,
        )
        best = scored[0][0] if scored else 0.0
        if best >= CARRIED or any(
            _same_amounts(rec.text, i.text) and _related(rec.text, i.text, ignore)
            for _, _, i in scored[:5]
        ):
            continue  # carried, perhaps in other words: the amounts are there
        diluted = next(
            (
                (k, i)
                for _, k, i in scored
                if _is_vague(i.text) and _related(rec.text, i.text, ignore)
            ),
            None,
        )
        if diluted:
            findings.append(
                _about(
                    rec,
                    diluted[0],
                    f"The plan waters down this recommendation from {rec.advice.name}: "
                    f"'{rec.text}'. Carry its amounts into the plan.",
                    diluted[1].text,
                )
            )
        elif rec.target not in folded:
            section = {"PfA": "F", "H": "H2"}.get(rec.target, rec.target)
            findings.append(
                _about(
                    rec,
                    section,
                    f"This recommendation from {rec.advice.name} is not in the plan "
                    f"and no reason is given: '{rec.text}'.",
                )
            )
    return findings


def _about(rec: Recommendation, section: str, message: str, quote: str = "") -> Finding:
    """A recommendation finding, linked to the advice's page when it has one."""
    link = rec.advice.link
    return Finding(
        section,
        "advice_recommendation_not_in_plan",
        "high",
        message,
        quote,
        link=link,
        link_text=rec.advice.name if link else "",
    )


_ADVISES = re.compile(
    r"\b(?:should|recommend\w*|would benefit|will need|needs? to (?:have|get|receive)|"
    r"must (?:have|get|receive)|(?:is|are) advised)\b",
    re.I,
)
MAX_VAGUE_ADVICE = 3  # per piece of advice: a note, not a list of every line


def check_advice_vague(material: CaseMaterial) -> list[Finding]:
    """Advice whose recommendations are too vague to carry into a plan.

    Section F can only be as specific as the advice behind it; a caseworker
    who sees "He should get SALT input regularly" asks the adviser for the
    amounts before drafting. A note for the caseworker, not a gap in the plan.
    """
    findings = []
    for item in material.advice:
        if not item.received or not item.text:
            continue
        found = 0
        in_recs = False
        for line in item.text.splitlines():
            if _REC_HEADING.match(line):
                in_recs = True
                continue
            if in_recs and line.lstrip().startswith("#"):
                in_recs = False
            if not in_recs and not _ADVISES.search(line):
                continue
            m = _LIST_ITEM.match(line)
            body = m.group(1) if m else line
            for sentence in sentences(body):
                if not (in_recs or _ADVISES.search(sentence.text)):
                    continue
                hits = advice_vague_terms(sentence.text)
                if not hits:
                    continue
                phrases = ", ".join(f"'{h}'" for h in hits[:3])
                findings.append(
                    Finding(
                        "K",
                        "vague_advice_recommendation",
                        "low",
                        f"{item.name} recommends something too vague to put in the "
                        f"plan ({phrases}). Ask the adviser what, who, how often and "
                        "for how long.",
                        sentence.text,
                        link=item.link,
                        link_text=item.name if item.link else "",
                    )
                )
                found += 1
                if found >= MAX_VAGUE_ADVICE:
                    break
            if found >= MAX_VAGUE_ADVICE:
                break
    return findings
