"""A case with a row in every table a case can have rows in: the subject of
the export and erasure tests and of bench/data_protection.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import BytesIO

from PIL import Image
from sqlalchemy.orm import Session

from auth.invitations import InvitationRequest, create_invitation
from portal.doclog import appending, compaction
from portal.models import Case, DraftProposal, FindingDismissal, Person
from portal.services import comments, documents, images, provenance, recordings
from tests.audio import ogg_opus
from tests.factories import Factory

ADVICE = (
    "Ruby finds it hard to follow spoken instructions in a busy classroom.\n\n"
    "She needs 2 x 30 minutes of speech and language therapy a week."
)
QUOTE = "She needs 2 x 30 minutes of speech and language therapy a week."


def picture() -> bytes:
    """A small PNG."""
    out = BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(out, "PNG")
    return out.getvalue()


@dataclass
class FullCase:
    """The case and the people on it."""

    case: Case
    caseworker: Person
    parent: Person
    therapist: Person


def build(
    make: Factory,
    dbs: Session,
    *,
    child_name: str = "Ruby Ashworth",
    documents_wanted: int = 0,
) -> FullCase:
    """Advice with history, a snapshot, a version, a picture, a voice note, a
    passage in the plan, a drafting proposal, a dismissed check, a comment
    with a reply, a pending invitation and audit events; `documents_wanted` more advice documents."""
    case = make.case(child_name=child_name)
    caseworker = case.memberships[0].person
    parent = make.member(case, "parent").person
    therapy = make.member(case, "professional", discipline="speech_language_therapist")
    advice = make.advice(case, therapy, "speech_language_therapist", text=ADVICE)
    appending.set_text(dbs, advice, ADVICE + "\n\nReviewed termly.", therapy.person)
    dbs.commit()
    compaction.compact(dbs, advice.id)
    appending.set_text(dbs, advice, ADVICE, therapy.person)
    images.add_image(dbs, advice, therapy.person, picture(), "p.png", "Ruby's drawing")
    recordings.add_recording(
        dbs, advice, therapy.person, ogg_opus(), "Ruby says hello."
    )
    documents.submit_advice(dbs, advice, therapy.person)
    dbs.commit()
    excerpt = provenance.take(dbs, case, advice, "F", QUOTE, caseworker, date.today())
    dbs.add(
        DraftProposal(
            case_id=case.id,
            source_document_id=advice.id,
            section="F",
            recommendation=QUOTE,
            text=QUOTE,
            status="accepted",
            excerpt_id=excerpt.id,
            decided_by_id=caseworker.id,
        )
    )
    dbs.add(
        FindingDismissal(
            case_id=case.id,
            fingerprint="f" * 64,
            section="F",
            kind="provision_not_specific",
            reason="Agreed with the family.",
            dismissed_by_id=caseworker.id,
        )
    )
    note = comments.add_comment(
        dbs, advice, parent, "Parent", "Ruby says this too.", comments.Anchor(QUOTE)
    )
    thread = comments.thread_in(dbs, advice, note.id)
    comments.reply_to(dbs, advice, thread, therapy.person, "Therapist", "Noted.")
    create_invitation(
        dbs,
        case,
        InvitationRequest(
            "school@example.org", "professional", "school_senco", "Fernhill", "SENCo"
        ),
        caseworker,
        date.today(),
    )
    dbs.commit()
    for n in range(documents_wanted):
        make.advice(
            case, None, "educational_psychologist", text=f"{ADVICE}\n\nPart {n}."
        )
    return FullCase(case, caseworker, parent, therapy.person)
