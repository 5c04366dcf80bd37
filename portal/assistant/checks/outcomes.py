"""Q3 SMART outcomes, Q7 preparing for adulthood and Q10 placement."""

from __future__ import annotations

import re

from portal.assistant.base import CaseMaterial, Finding
from portal.assistant.checks.concepts import concepts
from portal.assistant.plan_parse import parse_items
from portal.assistant.text import NUMBER, followed_in_clause, sentences

_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
# "by the end of Year 6", "within two terms": a time word after a deadline word
# in the same sentence (`followed_in_clause`), or a month and year anywhere.
_DEADLINE = re.compile(r"\b(?:by|before|within|until|at the end of|end of)\b", re.I)
_TIME_WORD = re.compile(
    rf"\b(?:{_MONTHS}|20\d\d|"
    r"year\s+\d+|key stage|term|easter|christmas|half[- ]term|age\s+\d+|weeks?|months?|"
    r"annual review|school year|reception|nursery)\b",
    re.I,
)
_DATE = re.compile(rf"\b(?:{_MONTHS})\s+20\d\d\b|\b20\d\d\b", re.I)


def has_time(text: str) -> bool:
    """Whether an outcome says by when it should be reached."""
    return bool(_DATE.search(text)) or followed_in_clause(text, _DEADLINE, _TIME_WORD)


MEASURE = re.compile(
    r"\d|%|\bout of\b|\b(?:once|twice|every|each|daily|weekly|all|without)\b|"
    r"\bas\s+(?:recorded|observed|reported|measured|assessed|shown|checked)\b|"
    + NUMBER.pattern,
    re.I,
)
VAGUE_GOAL = re.compile(
    r"\b(?:improve|develop|increase|progress|enhance|better|work (?:on|towards)|"
    r"gain (?:more )?confidence|be (?:happier|more confident|supported)|"
    r"feel (?:more|happier|better)|continue to|make progress)\w*",
    re.I,
)
SERVICE_NOT_OUTCOME = re.compile(
    r"\bwill\s+(?:receive|be\s+given|have\s+access|be\s+provided|be\s+offered|"
    r"be\s+supported|attend\s+(?:therapy|sessions))\b",
    re.I,
)
PFA = re.compile(
    r"\b(?:adulthood|pfa|college|career|work experience|employ\w*|jobs?|apprentice\w*|"
    r"universit\w*|post-16|internship|independen\w*|travel\w*|bus|money|cook\w*|"
    r"on (?:his|her|their) own|supported living|volunteer\w*|community)\b",
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


def _outcome_problem(text: str) -> str | None:
    if SERVICE_NOT_OUTCOME.search(text):
        return "This describes a service, not an outcome: say what the child will be able to do."
    if not has_time(text):
        return "This outcome has no date or time by which it should be reached."
    if VAGUE_GOAL.search(text) and not MEASURE.search(text):
        return "This outcome cannot be measured: say what the child will do, and to what level."
    return None


def check_outcomes_smart(material: CaseMaterial) -> list[Finding]:
    """Q3: each outcome in E is time-bound, measurable and not a service."""
    findings = []
    for item in parse_items(material.sections.get("E", "")):
        problem = _outcome_problem(item.text)
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
    return bool(PFA.search(text)) or bool(
        concepts(text) & {"pfa_work", "pfa_independence"}
    )


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
