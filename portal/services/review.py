"""The writing assistant over the portal's own data: builds `CaseMaterial`
from the database and runs the configured backend on it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy.orm import Session

from portal import domain
from portal.assistant import (
    AdviceItem,
    Assistant,
    AssistantSettings,
    CaseMaterial,
    Report,
    get_assistant,
)
from portal.config import Settings
from portal.models import Case, Document
from portal.services import cases, ystore


def assistant_for(settings: Settings) -> Assistant:
    """The backend the settings choose (rules unless a model is configured)."""
    return get_assistant(
        settings.assistant_backend,
        AssistantSettings(
            base_url=settings.openai_base_url,
            api_key=settings.openai_api_key,
            model=settings.openai_model,
            timeout=float(settings.openai_timeout),
        ),
    )


# A document's page, for the links in findings; the pages know their URLs.
LinkFor = Callable[[Document], str]


def case_material(
    session: Session,
    case: Case,
    today: date,
    link_for: LinkFor,
    override: tuple[int, str] | None = None,
) -> CaseMaterial:
    """What the checks read, from the case's documents (with one text overridden)."""
    sections: dict[str, str] = {}
    advice: list[AdviceItem] = []
    people = [m.person.name for m in case.memberships]
    for doc in cases.case_documents(session, case):
        text = override[1] if override and override[0] == doc.id else None
        if text is None:
            text = ystore.document_text(session, doc.id)
        if doc.kind == "plan_section" and doc.section:
            sections[doc.section] = text
            continue
        advice.append(_advice_item(doc, text, link_for(doc)))
        people.append(advice[-1].author)
    stage = (
        "final_for_issue" if case.status == "final_issued" else "draft_for_consultation"
    )
    return CaseMaterial(
        child_name=case.child_name,
        year_group=case.year_group,
        plan_stage=stage,
        sections=sections,
        advice=advice,
        today=today,
        school_name=case.setting,
        people=[p for p in people if p],
    )


def _advice_item(doc: Document, text: str, link: str) -> AdviceItem:
    letter = domain.advisers().get(doc.discipline or "", {}).get("reg6") or "f"
    return AdviceItem(
        role=doc.discipline or "other_professional",
        reg6=f"6(1)({letter})",
        title=doc.title,
        text=text,
        author=doc.owner.person.name if doc.owner else doc.source_author,
        due_date=doc.due_date,
        received=doc.status == "submitted",
        link=link,
    )


def document_report(
    session: Session,
    assistant: Assistant,
    doc: Document,
    text: str,
    today: date,
    link_for: LinkFor,
) -> Report:
    """Suggestions for one document's text, and for a plan section its findings."""
    # The material names the child and the people on the case, so a model
    # backend can replace them with placeholders before the text leaves.
    material = case_material(session, doc.case, today, link_for, (doc.id, text))
    report = assistant.suggest_report(text, section=doc.section, material=material)
    if doc.kind == "plan_section":
        findings = assistant.check(material)
        report.findings = [f for f in findings if f.section == doc.section]
    return report


def case_findings(
    session: Session, assistant: Assistant, case: Case, today: date, link_for: LinkFor
) -> Report:
    """Whole-plan findings for the case page."""
    return assistant.check_report(case_material(session, case, today, link_for))
