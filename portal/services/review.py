"""The writing assistant over the portal's own data: builds `CaseMaterial`
from the database and runs the configured backend on it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from portal import domain
from portal.assistant import (
    CASEWORKER_KINDS,
    AdviceItem,
    Assistant,
    AssistantSettings,
    CaseMaterial,
    Report,
    get_assistant,
)
from portal.config import Settings
from portal.doclog import reading
from portal.models import Case, Document, Session
from portal.services import section_k


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


@dataclass(frozen=True)
class Scope:
    """What one reader's assistant may use, as `auth.access.assistant_scope` decides.

    `documents` are those the reader may read; `advice_findings` says whether
    findings about advice are theirs (the policy's `view_findings`). Without
    it the checks see no advice at all, so nothing they say is built from it.
    """

    documents: Sequence[Document]
    advice_findings: bool


# A document's page, for the links in findings; the pages know their URLs.
LinkFor = Callable[[Document], str]


def case_material(
    session: Session,
    case: Case,
    scope: Scope,
    today: date,
    link_for: LinkFor,
    override: tuple[int, str] | None = None,
) -> CaseMaterial:
    """What the checks read, from the documents in scope (with one text overridden)."""
    sections: dict[str, str] = {}
    advice: list[AdviceItem] = []
    # Members' names are on the case page for every member; they are here so
    # a model backend can replace them with placeholders.
    people = [m.person.name for m in case.memberships]
    for doc in scope.documents:
        text = override[1] if override and override[0] == doc.id else None
        if text is None:
            text = reading.document_text(session, doc.id)
        if doc.kind == "plan_section" and doc.section == section_k.SECTION:
            sections[doc.section] = section_k.markdown(session, case)  # never typed
            continue
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


def _check(assistant: Assistant, material: CaseMaterial, scope: Scope) -> Report:
    """Findings for the reader in scope: advice counts only for the caseworker."""
    if scope.advice_findings:
        return assistant.check_report(material)
    report = assistant.check_report(material.without_advice())
    # With no advice to read the advice kinds could only be wrong ("all advice
    # is missing"); and whatever the backend does, these are the caseworker's.
    report.findings = [f for f in report.findings if f.kind not in CASEWORKER_KINDS]
    return report


def document_report(
    session: Session,
    assistant: Assistant,
    doc: Document,
    text: str,
    today: date,
    scope: Scope,
    link_for: LinkFor,
) -> Report:
    """Suggestions for one document's text, and for a plan section its findings."""
    material = document_material(session, doc, text, today, scope, link_for)
    return report_on_document(assistant, doc.kind, doc.section, text, material, scope)


def document_material(
    session: Session,
    doc: Document,
    text: str,
    today: date,
    scope: Scope,
    link_for: LinkFor,
) -> CaseMaterial:
    """What the checks of one document read (all the database work of a report)."""
    # The material names the child and the people on the case, so a model
    # backend can replace them with placeholders before the text leaves.
    return case_material(
        session, doc.case, scope, today, link_for, override=(doc.id, text)
    )


def report_on_document(
    assistant: Assistant,
    kind: str,
    section: str | None,
    text: str,
    material: CaseMaterial,
    scope: Scope,
) -> Report:
    """The assistant's work on loaded material: no database, so it may run in
    another thread (`portal.time_limit`); hence no ORM objects either."""
    report = assistant.suggest_report(text, section=section, material=material)
    if kind == "plan_section":
        checked = _check(assistant, material, scope)
        report.findings = [f for f in checked.findings if f.section == section]
        report.notices += [n for n in checked.notices if n not in report.notices]
    return report


def case_findings(
    session: Session,
    assistant: Assistant,
    case: Case,
    today: date,
    scope: Scope,
    link_for: LinkFor,
) -> Report:
    """Whole-plan findings for the case page."""
    material = case_material(session, case, scope, today, link_for)
    return _check(assistant, material, scope)
