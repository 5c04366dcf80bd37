""" "Start the draft": proposals for plan sections from submitted advice.

The rules read each piece of submitted advice as its author laid it out: a
heading or a bold label ("Recommendations", "Areas of need", "Suggested
outcomes") and the list items or sentences under it. Each item becomes one
proposal for the section the Code of Practice puts it in, by what the label
says it is and who wrote it: needs in B (education), C (health) or D (social
care), outcomes in E, provision in F, G or H1/H2. Needs in B go under the
broad area of need their words point to. Nothing enters the plan here: the
caseworker accepts, edits or rejects each proposal on the desk, and an
accepted one goes in as a taken passage (`portal.services.provenance`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from pycrdt import XmlElement, XmlText
from sqlalchemy import select

from portal import docmodel, domain
from portal.assistant.base import AssistantUnavailable
from portal.assistant.openai_backend import OpenAIAssistant
from portal.doclog import reading
from portal.models import Case, Document, DraftProposal, Excerpt, Person, Session
from portal.models.base import utcnow
from portal.services import audit, drafting_model, provenance
from portal.services.cases import case_documents

# What a label says the items under it are.
_PROVISION = re.compile(
    r"recommend|provision|support (?:needed|required)|what (?:would|will) help|strateg|next steps",
    re.I,
)
_OUTCOME = re.compile(r"outcome|target|aims?\b|what we hope", re.I)
_NEED = re.compile(
    r"needs?\b|difficult|findings|strengths and|presenting|diagnos|areas? of|profile|"
    r"wellbeing|communication|language|emotional|sensory|physical|attention|cognit",
    re.I,
)
_NOT_NEEDED = re.compile(r"^\s*(?:none|no\b|n/?a\b|not applicable)", re.I)

# Broad areas of need (SEND Code 6.28), and the words that point to each.
AREAS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "Communication and interaction",
        re.compile(
            r"languag|speech|communicat|vocabular|autis|social interaction|listen|"
            r"instruction|talk|verbal|narrative|conversation|sentence|grammat|question",
            re.I,
        ),
    ),
    (
        "Social, emotional and mental health",
        re.compile(
            r"emotion|anxi|worr|wellbeing|mental|self-esteem|behaviou|adhd|attention|"
            r"regulat|friend|distress|mood|attach",
            re.I,
        ),
    ),
    (
        "Sensory and/or physical needs",
        re.compile(
            r"sensory|hearing|vision|visual impair|motor|physical|mobility|"
            r"handwriting|coordinat|fatigue|seizure|epilep",
            re.I,
        ),
    ),
    (
        "Cognition and learning",
        re.compile(
            r"read|phonic|spell|writ|math|number|memory|learn|reason|attain|literacy|"
            r"processing|dyslex|curricul|cognit",
            re.I,
        ),
    ),
)
DEFAULT_AREA = "Cognition and learning"
_MAX_ITEM_CHARS = 2_000


@dataclass(frozen=True)
class Item:
    """One thing an adviser wrote under a label."""

    label: str
    text: str


def items_of(children: Iterable[Any]) -> Iterator[Item]:
    """The advice's list items and labelled sentences, with the label above each."""
    label = ""
    for block in _blocks(children, 0):
        kind, lead, text = block
        if kind == "heading":
            label = text
        elif kind == "paragraph" and lead and (not text or text.endswith(":")):
            label = lead  # "**Recommendations**" alone, or leading into a list
        elif kind == "paragraph" and lead:
            label = lead  # "**Suggested outcomes.** By July ..."
            yield Item(label, text)
        elif kind == "item" and text:
            yield Item(label, text)


def _blocks(children: Iterable[Any], depth: int) -> Iterator[tuple[str, str, str]]:
    """(kind, bold lead, words) for headings, paragraphs and list items."""
    for child in children:
        if not isinstance(child, XmlElement) or depth > 60:
            continue
        if child.tag == "heading":
            yield ("heading", "", _words(child)[1])
        elif child.tag == "paragraph":
            lead, text = _words(child)
            yield ("paragraph", lead, text)
        elif child.tag == "list_item":
            first = next((c for c in child.children if isinstance(c, XmlElement)), None)
            if first is not None and first.tag == "paragraph":
                lead, text = _words(first)
                yield ("item", "", (lead + " " + text).strip() if lead else text)
            yield from _blocks([c for c in child.children if c is not first], depth + 1)
        else:
            yield from _blocks(child.children, depth + 1)


def _words(element: XmlElement) -> tuple[str, str]:
    """A block's bold opening words (a label) and the rest, as plain text."""
    lead, rest, in_lead = "", "", True
    for child in element.children:
        if isinstance(child, XmlText):
            for value, attrs in child.diff():
                if not isinstance(value, str):
                    continue
                bold = any(
                    k == "strong" or k.startswith("strong--") for k in attrs or {}
                )
                if in_lead and bold:
                    lead += value
                else:
                    if value.strip():
                        in_lead = False
                    rest += value
        elif isinstance(child, XmlElement) and child.tag == "hard_break":
            in_lead = False
            rest += " "
    if not rest.strip() and not lead.strip():
        return "", ""
    return lead.strip(), rest.strip()


def _group(discipline: str | None) -> str:
    for group, members in domain.load("sections.json")["role_groups"].items():
        if discipline in members:
            return str(group)
    return "education"


def placement(item: Item, discipline: str | None) -> tuple[str, str] | None:
    """(section, area) for an item, or None when it is not a need, outcome or
    provision (background, assessment results, views)."""
    group = _group(discipline)
    if group == "family" or _NOT_NEEDED.match(item.text):
        return None
    label = item.label
    # Therapy that educates or trains is special educational provision (Code
    # 9.74), so a speech and language therapist's provision goes in F.
    educates = discipline in (
        "speech_language_therapist",
        "occupational_therapist",
    ) or (bool(re.search(r"school|education|setting|college", label, re.I)))
    if _OUTCOME.search(label):
        return ("E", "")
    if _PROVISION.search(label):
        if group == "health" and not educates:
            return ("G", "")
        if group == "social_care":
            section = (
                "H1"
                if re.search(
                    r"short break|personal care|equipment|adapt", item.text, re.I
                )
                else "H2"
            )
            return (section, "")
        return ("F", "")
    if _NEED.search(label):
        if group == "health" and not educates:
            return ("C", "")
        if group == "social_care":
            return ("D", "")
        # The adviser's own label ("Cognitive profile") names the area more
        # surely than the words under it, which describe the child at large.
        return ("B", _area_named(label) or area_of(item.text))
    return None


def _area_named(text: str) -> str | None:
    scored = [
        (len(pattern.findall(text)), n, name) for n, (name, pattern) in enumerate(AREAS)
    ]
    best = max(scored, key=lambda t: (t[0], -t[1]))
    return best[2] if best[0] else None


def area_of(text: str) -> str:
    """The broad area of need a need's words point to most."""
    return _area_named(text) or DEFAULT_AREA


def start_draft(
    session: Session,
    case: Case,
    by: Person,
    model: OpenAIAssistant | None = None,
) -> Started:
    """Propose plan text from every item of submitted advice not proposed
    before (the caller commits). With a `model`, the model proposes for each
    advice document (`drafting_model`); where it cannot be used the rules do,
    and the answer's `notice` says why."""
    notice = None
    known = {
        (p.source_document_id, p.recommendation)
        for p in session.scalars(
            select(DraftProposal).where(DraftProposal.case_id == case.id)
        )
    }
    advice = [
        d
        for d in case_documents(session, case)
        if d.kind == "advice" and d.status == "submitted"
    ]
    redactor = drafting_model.redactor_for(case, advice) if model else None
    new: list[DraftProposal] = []
    for doc in advice:
        ydoc = reading.load(session, doc.id).ydoc
        candidates: list[tuple[str, str, str, str]] | None = None
        if model is not None and redactor is not None:
            try:
                candidates = [
                    (p.section, p.area, p.recommendation, p.text)
                    for p in drafting_model.propose(
                        model,
                        redactor,
                        docmodel.markdown_of(ydoc),
                        provenance.plain_text(ydoc),
                        (name for name, _ in AREAS),
                    )
                ]
            except AssistantUnavailable as exc:
                notice = (
                    f"The language model could not be used ({exc.reason}), so these "
                    "proposals come from the advice's headings and lists."
                )
                model = None
        if candidates is None:
            candidates = _rule_candidates(docmodel.body_of(ydoc).children, doc)
        backend = "openai" if model is not None else "rules"
        for section, area, recommendation, text in candidates:
            recommendation = recommendation[:_MAX_ITEM_CHARS]
            if (doc.id, recommendation) in known:
                continue
            known.add((doc.id, recommendation))
            proposal = DraftProposal(
                case_id=case.id,
                source_document_id=doc.id,
                section=section,
                area=area,
                recommendation=recommendation,
                text=text[:_MAX_ITEM_CHARS],
                backend=backend,
            )
            session.add(proposal)
            new.append(proposal)
    session.flush()
    audit.record(session, "plan.draft_started", actor=by, case=case, proposals=len(new))
    return Started(new, notice)


@dataclass(frozen=True)
class Started:
    """What one "Start the draft" added, and why the model was not used if not."""

    proposals: list[DraftProposal]
    notice: str | None = None


def _rule_candidates(
    children: Iterable[Any], doc: Document
) -> list[tuple[str, str, str, str]]:
    out = []
    for item in items_of(children):
        place = placement(item, doc.discipline)
        if place is not None:
            out.append((place[0], place[1], item.text, item.text))
    return out


def proposals(session: Session, case: Case) -> list[DraftProposal]:
    """The case's proposals, in plan order then as proposed."""
    order = {
        key: n
        for n, key in enumerate(
            ("A", "B", "C", "D", "E", "F", "G", "H1", "H2", "I", "J", "K")
        )
    }
    rows = session.scalars(
        select(DraftProposal).where(DraftProposal.case_id == case.id)
    ).all()
    return sorted(rows, key=lambda p: (order.get(p.section, 99), p.area, p.id))


class ProposalClosed(ValueError):
    """The proposal was already accepted or rejected."""


def accept(
    session: Session,
    proposal: DraftProposal,
    text: str,
    by: Person,
    today: date,
) -> Excerpt:
    """The caseworker accepts a proposal, perhaps edited: it becomes a passage
    taken from the recommendation (its words in the plan may differ from the
    advice's; the passage then says it changed)."""
    if proposal.status != "open":
        raise ProposalClosed(f"This proposal was already {proposal.status}.")
    excerpt = provenance.take(
        session,
        proposal.source.case,
        proposal.source,
        proposal.section,
        proposal.recommendation,
        by,
        today,
    )
    proposal.text = text
    _decide(session, proposal, "accepted", by)
    proposal.excerpt_id = excerpt.id
    return excerpt


def reject(session: Session, proposal: DraftProposal, by: Person) -> None:
    if proposal.status != "open":
        raise ProposalClosed(f"This proposal was already {proposal.status}.")
    _decide(session, proposal, "rejected", by)


def _decide(session: Session, proposal: DraftProposal, status: str, by: Person) -> None:
    proposal.status = status
    proposal.decided_by_id = by.id
    proposal.decided_at = utcnow()
    audit.record(
        session,
        f"plan.proposal_{status}",
        actor=by,
        case=proposal.source.case,
        document=proposal.source,
        section=proposal.section,
        proposal=proposal.id,
    )


def sources_of(session: Session, case: Case) -> dict[int, Document]:
    return {d.id: d for d in case_documents(session, case)}
