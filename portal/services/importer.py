"""Loading a case folder (DESIGN.md "Case-folder format") into the database."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

from sqlalchemy import select

from portal import domain
from portal.casefolder import CaseFolder, KOnlyAdvice
from portal.doclog import appending
from portal.errors import InvalidInput
from portal.models import Case, Document, Person, Session
from portal.services import audit, cases, documents, section_k

_LONG_DATE = re.compile(r"\b(\d{1,2}) ([A-Z][a-z]+) (\d{4})\b")


def _section_texts(folder: CaseFolder) -> dict[str, str]:
    texts = dict(folder.sections)
    # Some councils write one "Section H" for all social care; it holds H1's duties.
    combined = texts.pop("H", None)
    if combined and not texts.get("H1") and not texts.get("H2"):
        texts["H1"] = combined
    return texts


def import_case_folder(
    session: Session,
    folder: CaseFolder,
    caseworker: Person,
    today: date,
    *,
    submit_advice: bool = True,
) -> Case:
    """Create the case, an advice document per advice file and plan sections A–K.

    A reference already in use is refused (InvalidInput), so a folder
    imported twice does not make a second copy of the child's case.
    Imported advice is received advice, so by default it is marked submitted
    with a version; the demo keeps it as drafts for people to edit live.
    """
    existing = session.scalar(
        select(Case.id).where(Case.la_reference == folder.case_id)
    )
    if existing is not None:
        raise InvalidInput(
            f"A case with reference {folder.case_id} already exists (case "
            f"{existing}). Change case_id in case.json if this is another child."
        )
    request_date = folder.request_date or today
    case = cases.create_case(
        session,
        cases.CaseDetails(
            child_name=folder.child_name,
            child_date_of_birth=None,
            year_group=folder.year_group,
            setting=folder.school_name,
            la_reference=folder.case_id,
            request_date=request_date,
            primary_need=folder.primary_area_of_need or None,
        ),
        caseworker,
    )
    for runner in case.memberships:  # the council the plan is from
        if runner.role == "caseworker" and not runner.organisation:
            runner.organisation = folder.local_authority[:200]
    due = domain.advice_due_date(request_date)
    for advice in folder.advice:
        doc = documents.create_advice(session, case, advice.role, due)
        doc.title = advice.title or doc.title
        doc.source_author = advice.author
        appending.set_text(session, doc, advice.body.strip() + "\n", caseworker)
        session.flush()
        if submit_advice:
            documents.submit_advice(session, doc, caseworker)
            if advice.date:  # received then: Section K lists that day
                doc.submitted_at = datetime.combine(advice.date, time(12), UTC)
    for item in folder.advice_listed_in_k_only:
        _record_k_only(session, case, folder, item, caseworker, today)
    sections = _section_texts(folder)
    # Section K writes itself from the advice (portal.services.section_k).
    sections.pop(section_k.SECTION, None)
    for doc in session.scalars(
        select(Document).where(
            Document.case_id == case.id, Document.kind == "plan_section"
        )
    ):
        text = sections.get(doc.section or "", "").strip()
        if text:
            appending.set_text(session, doc, text + "\n", caseworker)
    audit.record(
        session, "case.imported", actor=caseworker, case=case, folder=folder.case_id
    )
    return case


def _record_k_only(
    session: Session,
    case: Case,
    folder: CaseFolder,
    item: KOnlyAdvice,
    caseworker: Person,
    today: date,
) -> None:
    """Advice the folder lists only in Section K becomes advice received
    outside the portal, with whom and when from its line in K if it says."""
    line = next(
        (
            raw.strip(" -*").removeprefix(item.k_ref).strip(" .:")
            for raw in folder.sections.get(section_k.SECTION, "").splitlines()
            if raw.strip(" -*").startswith(item.k_ref)
        ),
        "",
    )
    when = _LONG_DATE.search(line)
    received = today
    if when:
        try:
            received = datetime.strptime(when.group(0), "%d %B %Y").date()
        except ValueError:
            pass
    head = line[: when.start()] if when else line
    who = head.split(":", 1)[-1].strip(" ,.-") or item.summary
    section_k.record_external(
        session,
        case,
        section_k.Received(
            from_whom=who[:200],
            discipline=item.role
            if item.role in domain.advisers()
            else "other_professional",
            role="",
            organisation="",
            received_on=min(received, today),
            note=item.summary,
        ),
        caseworker,
        today,
    )
