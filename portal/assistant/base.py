"""The assistant's interface and the values it passes around.

`Assistant` is the plug point (STYLE.md §3); backends register themselves in
`portal.assistant.registry`. Everything here is plain data: no Flask, no
database, so the portal can build a `CaseMaterial` from its own models.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from portal.casefolder import CaseFolder

SEVERITIES = ("high", "medium", "low", "info")

# Gap kinds the evaluation knows (examples/README.md); other kinds are notes.
GAP_KINDS = (
    "missing_provision_for_need",
    "unquantified_provision",
    "outcome_not_smart",
    "missing_advice",
    "advice_recommendation_not_in_plan",
    "section_a_not_child_voice",
    "health_need_without_health_provision",
    "social_care_need_without_provision",
    "missing_preparing_for_adulthood",
    "jargon_unexplained",
    "missing_placement",
)

# Who gets which findings (DESIGN.md "Assistant"; the portal's review service).
# These kinds name advice or are built from it, so they are the caseworker's
# alone (the policy's `view_findings`):
#   advice_recommendation_not_in_plan  quotes a recommendation and names its advice;
#   missing_advice                     says whose advice is overdue, or which
#                                      required advice does not exist yet.
# Every other kind is about plan text: section A's voice, needs without
# provision, vague provision, outcomes, placement, jargon. Other readers get
# those for the sections they can read, computed from material holding no
# advice at all: the health, social care and preparing-for-adulthood findings
# then come without their "... advice recommended: ..." addendum.
#   vague_advice_recommendation       quotes a vague recommendation in advice.
ADVICE_KINDS = frozenset(
    {
        "missing_advice",
        "advice_recommendation_not_in_plan",
        "vague_advice_recommendation",
    }
)
# Whether Section A sounds like the child is the caseworker's question about
# the plan, not a verdict for the family on their own words.
CASEWORKER_KINDS = ADVICE_KINDS | {"section_a_not_child_voice"}

UNAVAILABLE_TEMPLATE = (
    "The writing assistant could not reach the model: {reason} "
    "The checks below come from the built-in rules."
)


@dataclass(frozen=True)
class Suggestion:
    """A proposed change to `text[start:end]`; `replacement` None means "reword this"."""

    start: int
    end: int
    original: str
    replacement: str | None
    reason: str
    rule: str
    source: str = "rules"  # "rules" or "llm"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


@dataclass(frozen=True)
class Finding:
    """A gap in a plan. `quote` is an exact substring of the section, or "".

    A finding about one piece of advice names it in `message` by title and
    author and, when the advice has a page, links to it (`link`, `link_text`).
    """

    section: str
    kind: str
    severity: str
    message: str
    quote: str = ""
    link: str = ""
    link_text: str = ""

    def to_dict(self) -> dict[str, str]:
        """The `{section, kind, severity, message, quote}` shape the CLI prints."""
        return {
            "section": self.section,
            "kind": self.kind,
            "severity": self.severity,
            "message": self.message,
            "quote": self.quote,
        }


@dataclass(frozen=True)
class AdviceItem:
    """One piece of Reg 6 advice, received or still awaited."""

    role: str  # adviser id from sections.json, e.g. "school_senco"
    reg6: str  # "6(1)(b)" or just "b"
    title: str = ""
    text: str = ""
    author: str = ""
    due_date: date | None = None
    received: bool = True
    source: str = ""  # the file it came from, when it came from one
    link: str = ""  # the page people open it on, in the portal

    @property
    def name(self) -> str:
        """How findings name it: 'Psychological advice (Dr Martin Hale)'."""
        title = self.title or self.role.replace("_", " ").capitalize()
        # Never the file it came from ("advice/16_ot.md"): people know a
        # document by its title and author, not by its number in a folder.
        return f"{title} ({self.author})" if self.author else title

    @property
    def reg6_letter(self) -> str:
        """The Reg 6(1) letter: '6(1)(c)' -> 'c', 'f|h' -> 'f'."""
        text = self.reg6.strip().lower()
        if "(" in text:
            text = text.rsplit("(", 1)[-1]
        return text.strip(") ")[:1]


@dataclass
class CaseMaterial:
    """What the checks read: the child, the plan sections and the advice."""

    child_name: str
    year_group: int | None
    plan_stage: str
    sections: dict[str, str]
    advice: list[AdviceItem] = field(default_factory=list)
    advice_listed_in_k_only: list[AdviceItem] = field(default_factory=list)
    today: date = field(default_factory=date.today)
    school_name: str = ""
    people: list[str] = field(default_factory=list)  # other names, for redaction
    preamble: str = ""

    @property
    def first_name(self) -> str:
        """The child's first name."""
        return self.child_name.split()[0] if self.child_name.split() else ""

    def without_advice(self) -> CaseMaterial:
        """The same material with no advice: what checks for non-caseworkers read."""
        return replace(self, advice=[], advice_listed_in_k_only=[])

    @classmethod
    def from_case_folder(
        cls, folder: CaseFolder, *, today: date | None = None
    ) -> CaseMaterial:
        """Build material from a parsed case folder (all its advice is received)."""
        advice = [
            AdviceItem(
                role=a.role,
                reg6=a.reg6,
                title=a.title,
                text=a.body,
                author=a.author,
                source=a.path,
            )
            for a in folder.advice
        ]
        k_only = [
            AdviceItem(role=k.role, reg6=k.reg6, title=k.summary, source=k.k_ref)
            for k in folder.advice_listed_in_k_only
        ]
        people = [a.author for a in folder.advice if a.author]
        if folder.caseworker:
            people.append(folder.caseworker)
        return cls(
            child_name=folder.child_name,
            year_group=folder.year_group,
            plan_stage=folder.plan_stage,
            sections=dict(folder.sections),
            advice=advice,
            advice_listed_in_k_only=k_only,
            today=today or date.today(),
            school_name=folder.school_name,
            people=people,
            preamble=folder.plan_preamble,
        )


@dataclass
class Report:
    """Results plus notices a page should show above them (e.g. model unreachable)."""

    findings: list[Finding] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    backend: str = "rules"
    measures: dict[str, Any] = field(default_factory=dict)  # section -> ReadingMeasures
    rejected: list[dict[str, Any]] = field(
        default_factory=list
    )  # guard-rejected rewrites

    @property
    def is_degraded(self) -> bool:
        """True when a model backend fell back to the rules."""
        return bool(self.notices)


class AssistantUnavailable(Exception):
    """The model could not be used; `str(error)` is the message for people."""

    def __init__(self, reason: str) -> None:
        super().__init__(UNAVAILABLE_TEMPLATE.format(reason=reason.rstrip(".") + "."))
        self.reason = reason


class Assistant(Protocol):
    """What every backend offers. `*_report` also carries notices for the page."""

    name: str

    def suggest(self, text: str, *, section: str | None = None) -> list[Suggestion]:
        """Plain-English suggestions for `text`, with offsets into it."""
        ...

    def check(self, material: CaseMaterial) -> list[Finding]:
        """Gap findings for a whole case."""
        ...

    def suggest_report(
        self,
        text: str,
        *,
        section: str | None = None,
        material: CaseMaterial | None = None,
    ) -> Report:
        """Like `suggest`, plus notices. `material` names the people to redact
        before any text leaves the server."""
        ...

    def check_report(self, material: CaseMaterial) -> Report:
        """Like `check`, plus notices."""
        ...


def material_from_mapping(data: Mapping[str, Any]) -> CaseMaterial:
    """Build material from a plain dict (the shape of `CaseMaterial`'s fields)."""
    advice = [AdviceItem(**a) for a in data.get("advice", [])]
    k_only = [AdviceItem(**a) for a in data.get("advice_listed_in_k_only", [])]
    rest = {
        k: v for k, v in data.items() if k not in ("advice", "advice_listed_in_k_only")
    }
    return CaseMaterial(advice=advice, advice_listed_in_k_only=k_only, **rest)
