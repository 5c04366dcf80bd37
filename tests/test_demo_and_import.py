"""The demo case and importing case folders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.doclog import reading
from portal.models import Case, Document, Membership, Person
from tests.browserlike import Browser

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples"
DEMO_EMAILS = {
    "caseworker@example.org": ("caseworker", None),
    "parent@example.org": ("parent", None),
    "young.person@example.org": ("young_person", None),
    "senco@example.org": ("professional", "school_senco"),
    "psychologist@example.org": ("professional", "educational_psychologist"),
    "therapist@example.org": ("professional", "speech_language_therapist"),
    "social.worker@example.org": ("professional", "social_worker"),
}


def test_demo_creates_every_account_with_its_advice_and_is_idempotent(
    runner, dbs: Session
) -> None:
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "portal-demo-2026" in first.output
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert dbs.scalar(select(func.count(Case.id))) == 1
    assert dbs.scalar(select(func.count(Person.id))) == len(DEMO_EMAILS)
    for email, (role, discipline) in DEMO_EMAILS.items():
        membership = dbs.scalar(
            select(Membership).join(Person).where(Person.email == email)
        )
        assert membership is not None and membership.role == role, email
        assert membership.discipline == discipline
        if role != "caseworker":
            advice = dbs.scalar(
                select(Document).where(Document.owner_membership_id == membership.id)
            )
            assert advice is not None, email
            assert reading.document_text(dbs, advice.id).strip()


def test_demo_accounts_sign_in_with_the_published_password(
    runner, browser: Browser
) -> None:
    runner.invoke(args=["demo"])
    browser.sign_in("therapist@example.org", "portal-demo-2026")
    assert "Speech and language therapy advice" in browser.text("/")


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("example*")))
def test_import_case_creates_advice_and_plan_sections(
    runner, dbs: Session, example: str
) -> None:
    runner.invoke(args=["demo"])  # for the caseworker account
    folder = EXAMPLES / example
    result = runner.invoke(args=["import-case", str(folder)])
    assert result.exit_code == 0, result.output
    case = dbs.scalars(select(Case).order_by(Case.id.desc())).first()
    advice = list(
        dbs.scalars(
            select(Document).where(
                Document.case_id == case.id, Document.kind == "advice"
            )
        )
    )
    assert len(advice) == len(list((folder / "advice").glob("*.md")))
    assert all(d.status == "submitted" for d in advice)
    section_f = dbs.scalar(
        select(Document).where(Document.case_id == case.id, Document.section == "F")
    )
    text = reading.document_text(dbs, section_f.id)
    assert text and text in (folder / "draft_plan.md").read_text()


def test_import_of_a_folder_without_case_json_says_what_is_wrong(
    runner, tmp_path: Path
) -> None:
    runner.invoke(args=["demo"])
    result = runner.invoke(args=["import-case", str(tmp_path)])
    assert result.exit_code != 0
    assert "case.json" in result.output


def test_demo_case_is_in_progress_whenever_it_is_loaded(
    runner, browser: Browser
) -> None:
    runner.invoke(args=["demo"])
    browser.sign_in("caseworker@example.org", "portal-demo-2026")
    page = browser.text("/")
    assert "Week 11 of 20" in page
    assert 'govuk-tag--red">1 overdue' in page  # the school's advice


def test_demo_shows_leos_drawing_in_his_words_and_in_section_a(
    runner, browser: Browser, dbs: Session
) -> None:
    """A child's picture appears where he put it and in the plan's Section A,
    for the family; a professional who may read neither gets nothing."""
    runner.invoke(args=["demo"])
    section_a = dbs.scalar(select(Document).where(Document.section == "A"))
    mine = dbs.scalar(select(Document).where(Document.title == "All about me"))
    assert section_a is not None and mine is not None
    picture = re.search(
        r"!\[[^\]]+\]\((/documents/\d+/images/\d+)\)",
        reading.document_text(dbs, mine.id),
    )
    assert picture is not None
    src = picture.group(1)
    assert src in reading.document_text(dbs, section_a.id)

    browser.sign_in("parent@example.org", "portal-demo-2026")
    page = browser.get(f"/documents/{section_a.id}").get_data(as_text=True)
    assert f'src="{src}"' in page
    image = browser.get(src)
    # Re-encoded like any upload: an opaque drawing is stored as JPEG.
    assert image.status_code == 200 and image.content_type == "image/jpeg"
    assert image.get_data()[:3] == b"\xff\xd8\xff"
    browser.sign_out()
    browser.sign_in("psychologist@example.org", "portal-demo-2026")
    assert browser.get(src).status_code == 404
