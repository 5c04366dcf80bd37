"""Q3 SMART outcomes, Q7 preparing for adulthood and Q10 placement."""

from __future__ import annotations

import re

from portal.assistant.base import CaseMaterial, Finding
from portal.assistant.checks.concepts import concepts
from portal.assistant.plan_parse import Item, parse_items, prose_blocks
from portal.assistant.text import NUMBER, followed_in_clause, sentences

_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
# "by the end of Year 6", "within two terms": a time word after a deadline word
# in the same sentence (`followed_in_clause`), or a month and year anywhere.
_DEADLINE = re.compile(r"\b(?:by|before|within|until|at the end of|end of)\b", re.I)
_TIME_WORD = re.compile(
    rf"\b(?:{_MONTHS}|20\d\d|"
    r"year\s+\d+|y\d{1,2}|ks\s?\d|key stage|term|easter|christmas|half[- ]term|age\s+\d+|weeks?|months?|"
    r"annual review|school year|academic year|(?:first|second|third|final)\s+year|"
    r"(?:his|her|their|the)\s+course|reception|nursery|summer|autumn|spring)\b",
    re.I,
)
_DATE = re.compile(
    rf"\b(?:{_MONTHS})\s+20\d\d\b|\b20\d\d\b|\b(?:by|before)\s+(?:the\s+end\s+of\s+)?"
    r"(?:y|year\s*)\d{1,2}\b",
    re.I,
)


def has_time(text: str) -> bool:
    """Whether an outcome says by when it should be reached."""
    return bool(_DATE.search(text)) or followed_in_clause(text, _DEADLINE, _TIME_WORD)


MEASURE = re.compile(
    r"\d|%|\bout of\b|\b(?:once|twice|every|each|daily|weekly|all|without|no more than|"
    r"at least|independently|unprompted|on (?:his|her|their) own)\b|"
    r"\bas\s+(?:recorded|observed|reported|measured|assessed|shown|checked)\b|"
    + NUMBER.pattern,
    re.I,
)
VAGUE_GOAL = re.compile(
    r"\b(?:improve|develop|increase|progress|enhance|better|work (?:on|towards)|"
    r"gain (?:more )?confidence|be (?:happier|more confident|supported)|"
    r"feel (?:more|happier|better)|continue to|make (?:\w+ )?progress|"
    r"(?:be|become|feel)\s+(?:\w+\s+)?ready\b|school[- ]ready|"
    r"(?:be|feel|become)\s+(?:more\s+)?(?:happy|happier|settled|calm|safe|included)\b|"
    r"reach\s+(?:his|her|their)\s+(?:full\s+)?potential|"
    r"appropriate(?:ly)?|age[- ]appropriate|effective(?:ly)?|successful(?:ly)?|"
    r"significantly|reduce the gap|close the gap|narrow the gap|"
    r"(?:be|become) (?:more )?(?:aware|able|resilient|independent)|"
    r"understand (?:how|the importance)|know how to|reach (?:his|her|their) potential|"
    r"fulfil|achieve (?:his|her|their) (?:potential|best)|engage(?:ment)?|"
    r"manage (?:his|her|their) (?:emotions|feelings|behaviour)|"
    r"age[- ]related expectations|expected (?:level|standard)s?)\w*",
    re.I,
)
# Words that make a vague goal measurable whatever else is there.
_HARD_VAGUE = re.compile(
    r"\b(?:appropriate(?:ly)?|effective(?:ly)?|successful(?:ly)?|significantly|"
    r"age[- ]appropriate|(?:good|expected|good\s+or\s+better)\s+progress|ready)\b",
    re.I,
)
SERVICE_NOT_OUTCOME = re.compile(
    r"\bwill\s+(?:receive|be\s+given|have\s+access|be\s+provided|be\s+offered|"
    r"be\s+supported|attend\s+(?:therapy|sessions|a\s+\w+\s+group)|"
    r"(?:continue\s+to\s+)?(?:have|get|access)\s+(?:[\w:-]+\s+){0,6}?(?:sessions?|"
    r"therapy|support|input|intervention|programme|tuition|mentoring|a\s+(?:ta|"
    r"teaching\s+assistant|key\s+(?:adult|worker)))\b|"
    r"be\s+(?:taught|seen|given)\b|tolerate\b|"
    r"attend\s+(?:a|an|the|his|her|their)\s+(?:[\w-]+\s+){0,3}?(?:group|sessions?|club|"
    r"programme|course\s+of\s+therapy)\b)|"
    r"\b(?:staff|adults?|teachers?|the\s+school|(?:teaching\s+)?assistants?|ta|"
    r"therapists?|key\s+(?:adult|worker))\s+will\s+(?:support|provide|deliver|"
    r"help|give|work|teach|model|use|prompt|ensure)\b|"
    r"^\s*(?:\d+|one|two|three|weekly|daily|regular)\b[^.]{0,60}\b(?:sessions?|"
    r"minutes?)\b",
    re.I,
)
# Work or study, independent living, friends and community, good health. A
# classroom task done "on his own" or "independently" is not one of them.
PFA = re.compile(
    r"\b(?:adulthood|pfa|college|career\w*|work experience|work placement|employ\w*|jobs?|"
    r"apprentice\w*|universit\w*|post-16|post-18|internship|sixth form|further education|"
    r"independent (?:living|travel)|live independently|living skills|travel\w*|bus|train|"
    r"money|budget\w*|cook\w*|shop\w*|supported living|volunteer\w*|community|"
    r"housing|leisure|club|gp|dentist|health appointments?)\b",
    re.I,
)
PLACEHOLDER = re.compile(
    r"^\W*(?:to be (?:confirmed|named|agreed|decided|completed)|tbc|tba|pending|awaiting|"
    r"not yet|none|n/?a|blank|this section is (?:left )?blank|\[.*\])",
    re.I,
)
# The capitalised word right before "School" is enough to find a named
# setting; matching the whole run of capitalised words before it retried that
# run from each of its words (quadratic on "Ab Ab Ab ...").
SETTING = re.compile(
    r"\b[A-Z][\w'-]{1,60}\s{1,10}(?:School|Academy|College|Nursery|Centre|Unit|Base|"
    r"Pre-school)\b|\beducation otherwise than (?:at|in) school\b|\bEOTAS\b",
)


def outcome_problem(text: str, heading: str = "") -> str | None:
    """The most important fault: provision first, then measurability, then date."""
    if SERVICE_NOT_OUTCOME.search(text):
        return (
            "This is provision, not an outcome: it says what the child will receive, "
            "not what they will be able to do. Move it to Section F."
        )
    vague = VAGUE_GOAL.search(text)
    undated = _DATE.sub(" ", _TIME_WORD.sub(" ", text))  # "2026" is not a measure
    if vague and (_HARD_VAGUE.search(text) or not MEASURE.search(undated)):
        return (
            f"This outcome cannot be measured ('{vague.group()}'): say what the child "
            "will do, and to what level."
        )
    if not has_time(text) and not has_time(heading):
        return "This outcome has no date or time by which it should be reached."
    return None


_LEAD = re.compile(r"[:\u2013\u2014-]\W*$|^\W*\*\*.*\*\*\W*$")


def _timeframe_leads(section: str) -> dict[int, tuple[str, str]]:
    """Lines that set a timeframe for the outcomes after them:
    start -> (heading, text). "By the time Oscar starts school (Sept 2026):"."""
    out = {}
    for block in prose_blocks(section):
        text = block.text.strip()
        if (
            len(text.split()) <= 25
            and _LEAD.search(text)
            and (has_time(text) or _DATE.search(text))
        ):
            out[block.start] = (block.heading, text)
    return out


def _lead_before(leads: dict[int, tuple[str, str]], item: Item) -> str:
    """The last timeframe lead above an item under the same heading."""
    best = ""
    for start, (heading, text) in leads.items():
        if start < item.start and heading == item.heading:
            best = text
    return best


def check_outcomes_smart(material: CaseMaterial) -> list[Finding]:
    """Q3: each outcome in E is time-bound, measurable and not a service."""
    section = material.sections.get("E", "")
    leads = _timeframe_leads(section)
    findings = []
    for item in parse_items(section):
        if item.start in leads:
            continue  # "By the end of Year 6 (July 2026):" opens a list
        scope = item.heading + " " + _lead_before(leads, item)
        problem = outcome_problem(item.text, scope)
        if problem:
            findings.append(
                Finding(
                    "E",
                    "outcome_not_smart",
                    "high",
                    f"{problem} Pattern: 'By [date], {material.first_name} will [do "
                    "something observable] [to what level] so that [aspiration].'",
                    item.text,
                )
            )
    return findings


def has_pfa(text: str) -> bool:
    """True when text talks about work, study, independence or community life."""
    return bool(PFA.search(text)) or bool(concepts(text) & {"pfa_work"})


def check_preparing_for_adulthood(
    material: CaseMaterial, pfa_advice: list[str]
) -> list[Finding]:
    """Q7: from Year 9, E has PfA outcomes and F/G/H the provision for them."""
    if material.year_group is None or material.year_group < 9:
        return []
    recommended = (
        f" The PfA adviser recommended: {'; '.join(pfa_advice[:4])}"
        if pfa_advice
        else ""
    )
    outcomes = parse_items(material.sections.get("E", ""))
    if not any(has_pfa(o.text) for o in outcomes):
        message = (
            f"{material.first_name} is in Year {material.year_group}, so Section E must "
            "include preparing-for-adulthood outcomes (work or study, independent living, "
            "friends and community, good health) and Sections F-H the provision for them."
        )
        return [
            Finding(
                "E", "missing_preparing_for_adulthood", "high", message + recommended
            )
        ]
    provision = " ".join(
        material.sections.get(k, "") for k in ("F", "G", "H1", "H2", "H")
    )
    if not has_pfa(provision):
        message = "Section E has preparing-for-adulthood outcomes but no provision in F-H helps reach them."
        return [
            Finding(
                "F", "missing_preparing_for_adulthood", "high", message + recommended
            )
        ]
    return []


def check_placement(material: CaseMaterial) -> list[Finding]:
    """Q10: Section I blank in a draft, naming the setting in a final plan."""
    text = material.sections.get("I", "").strip()
    first = sentences(text)
    quote = first[0].text if first else ""
    if material.plan_stage == "final_for_issue":
        if not text or PLACEHOLDER.match(text) or not SETTING.search(text):
            return [
                Finding(
                    "I",
                    "missing_placement",
                    "high",
                    "This is the final plan, so Section I must name the school or college "
                    "and its type.",
                    quote,
                )
            ]
    elif (
        material.plan_stage == "draft_for_consultation"
        and text
        and not PLACEHOLDER.match(text)
    ):
        if SETTING.search(text) and not re.search(r"\bblank\b", text, re.I):
            return [
                Finding(
                    "I",
                    "placement_named_in_draft",
                    "medium",
                    "A draft plan must leave Section I blank so the family can say which "
                    "setting they want (s38 Children and Families Act 2014).",
                    quote,
                )
            ]
    return []
