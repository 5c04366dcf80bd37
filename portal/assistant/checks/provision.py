"""Q2: provision must be specified and quantified (Sections F, G, H1, H2).

Each item is read into a provision model (`ProvisionParts`): what, who
delivers it with what training, how often, how long, group size, where and how
it is reviewed. "Quantified" then means the parts a tribunal asks for: how
often and how long (or a scope such as "in every lesson" that says both), with
no open choice left to the setting ("either individually or in a small group").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from portal.assistant.base import CaseMaterial, Finding
from portal.assistant.data import VagueTerm, any_vague_term, vague_terms
from portal.assistant.plan_parse import Item, is_nil, parse_items
from portal.assistant.text import NUMBER

PROVISION_KEYS = ("F", "G", "H1", "H2", "H")
# A stated amount next to a vague word usually settles it ("regular weekly
# 30-minute sessions"); these categories are weak whatever numbers appear.
_ALWAYS_WEAK = {"availability", "conditional", "hedging", "delegation", "universal"}
_ALWAYS_WEAK_IDS = {"up_to", "high_ratio"}
QUANTITY = re.compile(
    r"\b(?:every|each|daily|weekly|fortnightly|termly|annually|monthly|per|"
    r"a\s+(?:day|week|term|month|year)|all\s+(?:lessons|day)|throughout)\b|"
    + NUMBER.pattern,
    re.I,
)
_NUM = r"(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty|forty|forty-five|sixty|half\s+an?|an?)"
_PERIOD = r"(?:day|week|fortnight|term|half[- ]term|month|year|morning|afternoon|lesson|session)"
FREQUENCY = re.compile(
    rf"\b(?:daily|weekly|fortnightly|termly|monthly|annually|yearly|once|twice|"
    rf"{_NUM}\s+times|(?:every|each|per|a)\s+(?:other\s+|school\s+|half\s+)?{_PERIOD}s?|"
    rf"(?:every|each)\s+{_NUM}\s+(?:{_PERIOD}|minutes?|hours?)s?|"
    rf"{_NUM}\s+(?:sessions?|visits?|lessons?)\s+(?:a|per|each|every)\b)",
    re.I,
)
DURATION = re.compile(
    rf"\b{_NUM}[- ]?(?:minutes?|mins?|hours?|hrs?)\b|\b\d+\s*(?:h|m)\b|"
    rf"\b(?:for|over)\s+{_NUM}\s+(?:weeks?|terms?|months?|sessions?)\b|"
    rf"\b{_NUM}[- ](?:week|term|session)\s+(?:block|programme|course)\b|"
    rf"\b(?:\d+|{_NUM})-(?:week|term|month|day)\b|"
    r"\b(?:a\s+)?(?:whole|full|half)[- ]day\b|\bfull[- ]time\b|\bpart[- ]time\b",
    re.I,
)
# A total: "6 weekly sessions", "two taster days", "a block of 10 sessions".
COUNT = re.compile(
    rf"\b(?:{_NUM}|block\s+of\s+\d+)\s+(?:[\w:-]+\s+){{0,3}}?(?:sessions?|visits?|days?|"
    r"lessons?|appointments?|weeks?|terms?)\b",
    re.I,
)
# An amount given by scope or timetable: it says how often and how long at once.
SCOPE = re.compile(
    r"\b(?:in|during|at|for|across|before|after|on)\s+(?:all|every|each)\s+(?!times?\b)\w+|"
    r"\bin\s+all\b|\b(?:all|every|each)\s+(?:lessons?|subjects?|tasks?|transitions?|"
    r"break(?:time)?s?|lunch(?:time)?s?|play(?:time)?s?|mornings?|afternoons?|school\s+days?|"
    r"day|written|core|written\s+tasks?)\b|"
    r"\bthroughout\s+the\s+(?:school\s+)?day\b|\bat\s+all\s+times\b|\bwhole\s+school\s+day\b|"
    r"\bthe\s+start\s+(?:and\s+end\s+)?of\s+(?:every|each)\b|"
    r"\bthroughout\s+(?:every|each|all)\b|"
    r"\b(?:from|by)\s+(?:all|every)\s+(?:adults?|staff|members\s+of\s+staff|teachers?)\b|"
    r"\b(?:every|each|all)\s+(?:[\w-]+\s+)?(?:lessons?|sessions?|subjects?|classes)\b|\b(?:class|group)\s+of\s+(?:no\s+more\s+than\s+|"
    r"up\s+to\s+|at\s+most\s+)?\d+\b",
    re.I,
)
_ROLE = (
    r"teachers?|assistants?|tas?|lsas?|therapists?|psychologists?|nurses?|adults?|"
    r"sen(?:d)?cos?|staff|workers?|mentors?|clinicians?|coach(?:es)?|elsas?|practitioners?|"
    r"instructors?|team|officers?|advis[eo]rs?|supervisors?|tutors?|paediatricians?|"
    r"audiologists?|physiotherapists?|counsellors?|slts?|salts?|ots?|eps?|"
    r"key\s+(?:adult|worker|person)|consultants?|doctors?|keyworkers?|carers?|"
    r"specialists?|service|provider|school|college|setting"
)
DELIVERER = re.compile(rf"\b(?:{_ROLE})\b", re.I)
# "school", "service" name who is responsible only when something is
# delivered by them ("run by the school"), not "at school".
_WEAK_DELIVERER = re.compile(r"\b(?:service|provider|school|college|setting)\b", re.I)
TRAINING = re.compile(
    r"\b(?:trained|qualified|accredited|certificated|experienced\s+in|hcpc|"
    r"training\s+(?:in|from|by)|elklan|with\s+training)\b",
    re.I,
)
GROUP = re.compile(
    r"\b(?:1:1|one[- ]to[- ]one|individual(?:ly)?|pairs?|whole[- ]class|"
    r"group\s+of\s+(?:up\s+to\s+|no\s+more\s+than\s+|at\s+most\s+)?\w+|"
    r"\w+\s+pupils|\w+\s+children|\d+:\d+|ratio|small[- ]groups?|groups?)\b",
    re.I,
)
_CAP = re.compile(
    r"\bgroups?\s+of\s+up\s+to\s+\w+|\bup\s+to\s+\w+\s+(?:pupils|children|students|"
    r"young\s+people|others|peers)\b",
    re.I,
)
WHERE = re.compile(
    r"\b(?:in|at)\s+(?:the\s+|a\s+|his\s+|her\s+|their\s+)?(?:[\w-]+\s+)?"
    r"(?:room|classroom|class|hall|base|hub|playground|library|home|school|college|"
    r"clinic|hospital|centre|unit|lessons?|corridor|canteen)\b",
    re.I,
)
REVIEW = re.compile(
    r"\breview(?:ed|s)?\b|\bprogress\s+(?:will\s+be\s+)?(?:measured|checked|tracked|"
    r"assessed)\b|\bre-?assess\w*\b",
    re.I,
)
OPEN_CHOICE = re.compile(
    r"\beither\b[^.;]{0,80}?\bor\b|\band/or\b|\bindividually\s+or\b|"
    r"\bor\s+(?:in\s+)?(?:a\s+)?small[- ]group\b|\bor\s+as\s+part\s+of\b",
    re.I,
)
# Provision delivered in sessions: its length and its deliverer matter.
SESSIONAL = re.compile(
    r"\b(?:therapy|sessions?|programmes?|interventions?|tuition|mentoring|counselling|"
    r"lessons?|coaching|input|groups?(?!\s+times?\b))\b|"
    r"\b(?:precision|specialist|direct|1:1|small[- ]group|pre-)\s*teaching\b|"
    r"\bteaching\s+(?:of|sessions?)\b",
    re.I,
)
# Sessions a person runs: with a length in minutes or hours, say who runs them.
_DELIVERED = re.compile(
    r"\b(?:therapy|tuition|mentoring|counselling|coaching|teaching|interventions?|"
    r"groups?(?!\s+times?\b)|lessons?)\b",
    re.I,
)
_SESSION_LENGTH = re.compile(r"\b(?:minutes?|mins?|hours?|hrs?)\b", re.I)
_BY_DATE = re.compile(
    r"\b(?:by|before)\s+(?:the\s+end\s+of\s+)?(?:(?:january|february|march|april|may|"
    r"june|july|august|september|october|november|december)\s+)?20\d\d\b",
    re.I,
)
_WHEN_NEEDED = re.compile(
    r"\b(?:whenever|when|each\s+time|every\s+time)\s+(?:he|she|they|it|\w+)\s+"
    r"(?:needs?|is\s+needed|wants?)\b",
    re.I,
)
# One-off or counted events: a number of them is an amount.
_EVENTS = re.compile(
    r"\b(?:visits?|days?|appointments?|meetings?|assessments?|reviews?|placements?|"
    r"observations?|referrals?|reports?)\b",
    re.I,
)
_ONE_OFF = re.compile(
    r"^\W*(?:an?|one)\s+(?:[\w-]+\s+){0,3}?(?:assessment|review|referral|observation|"
    r"report|visit|appointment|meeting)\b",
    re.I,
)
_SERVICE = re.compile(
    r"\b(?:therap\w*|support\w*|sessions?|programmes?|interventions?|help|input|teaching|"
    r"tuition|mentoring|counselling|work(?:s|ing)? with|care|training|buddy|scheme|"
    r"system|groups?(?!\s+times?\b))\b",
    re.I,
)
# "reviewed each half term" says how often it is reviewed, not delivered.
_REVIEW_CLAUSE = re.compile(
    r"\breviewed\b[^.,;:]{0,60}|\breviews?\s+(?:each|every|termly|half-termly|"
    r"annually|at\s+(?:the|each|every))\b[^.,;:]{0,40}",
    re.I,
)
# Care a child needs when the need arises: "whenever he needs it" is specific.
_NEEDS_LED = re.compile(
    r"\b(?:personal\s+care|toilet\w*|continence|changing|medication|medicine|inhaler|"
    r"seizures?|rescue|insulin|blood\s+(?:sugar|glucose)|suction\w*|feeds?|hoist)\b",
    re.I,
)
_CHILD_LED_CAP = re.compile(
    r"\bup\s+to\s+\w+\s+(?:[\w-]+\s+){0,2}?(?:breaks?|exits?|time-?outs?)\b", re.I
)


@dataclass(frozen=True)
class ProvisionParts:
    """What a provision item says about each thing a tribunal asks for."""

    frequency: str
    duration: str
    count: str
    scope: str
    deliverer: str
    training: str
    group: str
    where: str
    review: str
    open_choice: str
    sessional: bool

    one_off: bool = False
    events: bool = False
    delivered: bool = False

    @property
    def amount_given(self) -> bool:
        """How often and how long, or a scope that says both, or a count."""
        if self.scope or self.one_off:
            return True
        if self.sessional:
            if self.count:
                return True  # "Eight sessions of travel training": a total
            return bool(self.frequency and self.duration)
        return bool(self.frequency or self.count or self.duration)

    def missing(self) -> list[str]:
        """The parts a reader still has to ask about, in the order they matter."""
        out = []
        if not (self.frequency or self.scope or self.count):
            out.append("how often")
        if not (self.duration or self.scope):
            out.append("for how long")
        if not self.deliverer:
            out.append("who delivers it")
        if self.sessional and not self.group:
            out.append("group size")
        return out

    @property
    def incomplete(self) -> bool:
        """Sessions a person runs, with no one named to run them."""
        return self.delivered and not self.deliverer and not self.scope


def _first(pattern: re.Pattern[str], text: str) -> str:
    m = pattern.search(text)
    return m.group() if m else ""


# A provision item is a few sentences; past this it is a pasted document, and
# reading its opening is enough (and keeps a request's time bounded).
MAX_ITEM = 3000


@lru_cache(maxsize=8192)
def provision_parts(text: str) -> ProvisionParts:
    """Read one provision item into its parts."""
    text = text[:MAX_ITEM]
    amounts = _REVIEW_CLAUSE.sub(" ", text)
    deliverer = ""
    for m in DELIVERER.finditer(text):
        if not _WEAK_DELIVERER.fullmatch(m.group()) or re.search(
            r"\b(?:by|from)\s+(?:the\s+|a\s+|his\s+|her\s+)?(?:[\w-]+\s+){0,5}$",
            text[max(0, m.start() - 60) : m.start()],
            re.I,
        ):
            deliverer = m.group()
            break
    scope = _first(SCOPE, text)
    if not scope and _NEEDS_LED.search(text):
        scope = _first(_WHEN_NEEDED, text)  # personal care "whenever he needs it"
    return ProvisionParts(
        frequency=_first(FREQUENCY, amounts),
        duration=_first(DURATION, amounts),
        count=_first(COUNT, amounts),
        scope=scope,
        deliverer=deliverer,
        training=_first(TRAINING, text),
        group=_first(GROUP, text),
        where=_first(WHERE, text),
        review=_first(REVIEW, text),
        open_choice=_first(OPEN_CHOICE, text),
        sessional=bool(SESSIONAL.search(text)),
        one_off=bool(
            _ONE_OFF.search(text)
            or (_BY_DATE.search(text) and not SESSIONAL.search(text))
        ),
        events=bool(_EVENTS.search(text)),
        delivered=bool(_DELIVERED.search(text) and _SESSION_LENGTH.search(amounts)),
    )


_PROPER_ACCESS = re.compile(r"\bAccess\s+to\s+[A-Z]")


@lru_cache(maxsize=8192)
def _vague_hits(sentence: str, parts: ProvisionParts) -> tuple[VagueTerm, ...]:
    sentence = sentence[:MAX_ITEM]  # a real sentence is far shorter; keeps it linear
    if not any_vague_term().search(sentence):
        return ()
    hits = []
    for term in vague_terms():
        m = term.pattern.search(sentence)
        if not m:
            continue
        if term.id == "up_to" and (
            _CAP.search(sentence) or _CHILD_LED_CAP.search(sentence)
        ):
            continue  # "a group of up to 6 pupils" caps a group: it is not weak
        if term.id == "access_to" and _PROPER_ACCESS.search(sentence):
            continue  # "a referral to Access to Work": a scheme's name
        if (
            term.category == "conditional"
            and _NEEDS_LED.search(sentence)
            and parts.deliverer
        ):
            continue  # personal care "whenever he needs it" is what he needs
        if term.id == "small_group" and parts.amount_given and _CAP.search(sentence):
            continue
        weak_anyway = term.category in _ALWAYS_WEAK or term.id in _ALWAYS_WEAK_IDS
        if term.category == "frequency":
            # "regular ... throughout the day": a scope does not say how often
            weak_anyway = not (parts.frequency or parts.count)
        if weak_anyway or not parts.amount_given:
            hits.append(term)
    return tuple(hits)


# Advice naturally hedges ("it is recommended that"); only wording that leaves
# the amount or the delivery open makes advice too vague to carry into a plan.
_ADVICE_SKIP = {"hedging", "universal", "qualification"}


@lru_cache(maxsize=8192)
def advice_vague_terms(sentence: str) -> tuple[str, ...]:
    """Vague phrases in one sentence of advice that gives no amount for them."""
    parts = provision_parts(sentence)
    return tuple(
        t.phrase
        for t in _vague_hits(sentence, parts)
        if t.category not in _ADVICE_SKIP and t.severity != "low"
    )


def _say_missing(parts: ProvisionParts) -> str:
    missing = parts.missing()
    return f" Say {', '.join(missing)}." if missing else ""


@lru_cache(maxsize=4096)
def _item_finding(key: str, item: Item) -> Finding | None:
    parts = provision_parts(item.text)
    for sentence in item.sentences():
        hits = _vague_hits(sentence.text, parts)
        if hits:
            worst = "high" if any(h.severity == "high" for h in hits) else "medium"
            if all(h.severity == "low" for h in hits):
                worst = "low"
            phrases = ", ".join(f"'{h.phrase}'" for h in hits[:3])
            message = f"Vague provision ({phrases}): {hits[0].why_weak}"
            return Finding(
                key,
                "unquantified_provision",
                worst,
                message + _say_missing(parts),
                sentence.text,
            )
    if parts.open_choice:
        return Finding(
            key,
            "unquantified_provision",
            "high",
            f"This provision leaves a choice open ('{parts.open_choice}'): the plan "
            "must say which one the child gets." + _say_missing(parts),
            item.text,
        )
    if parts.incomplete and parts.amount_given:
        return Finding(
            key,
            "unquantified_provision",
            "medium",
            "This provision does not say who delivers it." + _say_missing(parts),
            item.text,
        )
    if _SERVICE.search(item.text) and not parts.amount_given:
        return Finding(
            key,
            "unquantified_provision",
            "medium",
            "This provision is not quantified." + _say_missing(parts),
            item.text,
        )
    return None


def wording_finding(text: str) -> Finding | None:
    """The finding for one provision wording on its own, as if it were item F1."""
    return _item_finding("F", Item(0, len(text), text))


def is_vague(key: str, item: Item) -> bool:
    """Whether an item would be reported as vague or unquantified provision."""
    return _item_finding(key, item) is not None


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
