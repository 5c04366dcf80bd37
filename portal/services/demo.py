"""The fictional demo case and its accounts. Running it twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageDraw
from sqlalchemy import func, select

from portal.casefolder import load_case_folder
from portal.doclog import appending, reading
from portal.models import Case, Document, Membership, Person, Session
from portal.services import documents, images
from portal.services.importer import import_case_folder

DEMO_PASSWORD = "portal-demo-2026"  # noqa: S105 - published demo password, local use only
DEMO_REFERENCE = "DEMO-0001"


@dataclass(frozen=True)
class DemoAccount:
    """One demo person, their role on the demo case and what they write."""

    email: str
    name: str
    role: str
    discipline: str | None = None
    organisation: str = ""
    job_title: str = ""


ACCOUNTS = (
    DemoAccount(
        "caseworker@example.org",
        "Dana Whitlock",
        "caseworker",
        organisation="Eastbridge County Council",
        job_title="EHC coordinator",
    ),
    DemoAccount("parent@example.org", "Sofia Marchetti", "parent", "parent_carer"),
    DemoAccount(
        "young.person@example.org",
        "Leo Marchetti",
        "young_person",
        "child_young_person",
    ),
    DemoAccount(
        "senco@example.org",
        "Grace Obi",
        "professional",
        "school_senco",
        "Ashcombe Primary School",
        "SENCo",
    ),
    DemoAccount(
        "psychologist@example.org",
        "Dr Martin Hale",
        "professional",
        "educational_psychologist",
        "Eastbridge Educational Psychology Service",
        "Educational psychologist",
    ),
    DemoAccount(
        "therapist@example.org",
        "Aisha Rahman",
        "professional",
        "speech_language_therapist",
        "Eastbridge Children's Community Health",
        "Speech and language therapist",
    ),
    DemoAccount(
        "social.worker@example.org",
        "Tom Brennan",
        "professional",
        "social_worker",
        "Eastbridge Children's Disability Team",
        "Social worker",
    ),
)


def demo_folder() -> Path:
    """The bundled demo case folder."""
    return Path(str(resources.files("portal").joinpath("demo", "case")))


def _person(session: Session, account: DemoAccount, password_hash: str) -> Person:
    person = session.scalar(
        select(Person).where(func.lower(Person.email) == account.email)
    )
    if person is None:
        person = Person(
            email=account.email,
            name=account.name,
            password_hash=password_hash,
            is_staff=account.role == "caseworker",
        )
        session.add(person)
        session.flush()
    return person


def load_demo(session: Session, password_hash: str, today: date) -> tuple[Case, bool]:
    """Create the demo accounts and case if missing; return the case and whether it is new."""
    people = {a.email: _person(session, a, password_hash) for a in ACCOUNTS}
    existing = session.scalar(select(Case).where(Case.la_reference == DEMO_REFERENCE))
    if existing is not None:
        return existing, False
    caseworker = people[ACCOUNTS[0].email]
    case = import_case_folder(
        session, load_case_folder(demo_folder()), caseworker, today, submit_advice=False
    )
    advice = {
        d.discipline: d
        for d in session.scalars(
            select(Document).where(
                Document.case_id == case.id, Document.kind == "advice"
            )
        )
    }
    for account in ACCOUNTS[1:]:
        membership = Membership(
            case=case,
            person=people[account.email],
            role=account.role,
            discipline=account.discipline if account.role == "professional" else None,
            organisation=account.organisation,
            job_title=account.job_title,
        )
        session.add(membership)
        session.flush()
        doc = advice.get(account.discipline)
        if doc is not None:
            doc.owner_membership_id = membership.id
    # Dates relative to today, so the demo always shows a case in progress:
    # week 11, advice mostly due next week, the school's a little overdue.
    case.request_date = today - timedelta(weeks=11)
    case.decision_to_assess_date = case.request_date + timedelta(weeks=5)
    for discipline, doc in advice.items():
        days = -3 if discipline == "school_senco" else 7
        doc.due_date = today + timedelta(days=days)
    me = advice.get("child_young_person")
    if me is not None:
        _add_drawing(session, case, me, people["young.person@example.org"])
    # One submitted piece of advice shows the caseworker's notification and reopen.
    social = advice.get("social_worker")
    if social is not None:
        documents.submit_advice(session, social, people["social.worker@example.org"])
    return case, True


DRAWING_ALT = "My drawing of a red train with Pepper looking out of the window"


def _add_drawing(session: Session, case: Case, me: Document, leo: Person) -> None:
    """Leo's drawing in his All about me, and placed in Section A as a
    caseworker would, so the demo shows a child's picture in the plan."""
    image = images.add_image(session, me, leo, leos_drawing(), "train.png", DRAWING_ALT)
    picture = f"![{DRAWING_ALT}]({images.image_path(me.id, image.id)})"
    text = reading.document_text(session, me.id)
    heading = "## What I'm good at"
    mine = text.replace(heading, picture + "\n\n" + heading, 1)
    appending.set_text(session, me, mine, leo)
    section_a = session.scalar(
        select(Document).where(Document.case_id == case.id, Document.section == "A")
    )
    if section_a is not None:
        plan = reading.document_text(session, section_a.id)
        heading = "### What Leo's parents say"
        appending.set_text(
            session,
            section_a,
            plan.replace(heading, picture + "\n\n" + heading, 1),
            None,
        )


def leos_drawing() -> bytes:
    """A child's drawing of a train, drawn here so the demo ships no photo."""
    img = Image.new("RGB", (640, 400), "#fffdf5")
    pen = ImageDraw.Draw(img)
    pen.rectangle((0, 330, 640, 400), fill="#7cb342")  # grass
    pen.line((0, 335, 640, 335), fill="#5d4037", width=6)  # track
    pen.ellipse((500, 30, 590, 120), fill="#ffca28")  # sun
    pen.rectangle((90, 170, 420, 300), fill="#d32f2f", outline="#212121", width=4)
    pen.rectangle((420, 120, 540, 300), fill="#c62828", outline="#212121", width=4)
    pen.rectangle((440, 140, 520, 200), fill="#bbdefb", outline="#212121", width=3)
    pen.ellipse((455, 150, 505, 195), fill="#8d6e63")  # Pepper
    pen.rectangle((130, 80, 170, 170), fill="#424242")  # chimney
    for x, y, r in ((150, 60, 18), (185, 35, 24), (230, 20, 30)):
        pen.ellipse((x - r, y - r, x + r, y + r), fill="#cfd8dc")  # smoke
    for cx in (150, 260, 370, 480):
        pen.ellipse((cx - 32, 268, cx + 32, 332), fill="#212121")
        pen.ellipse((cx - 12, 288, cx + 12, 312), fill="#9e9e9e")
    out = BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()
