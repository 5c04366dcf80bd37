"""Downloading the plan and advice as PDF and Word: read back with pypdf and
python-docx, the files hold the cover, the sections A-K in order, lists and
tables, page numbers, a "Draft" watermark until the plan is issued and the
sources of passages as footnotes only when the caseworker asks; and each
demo account downloads exactly what it may read."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from docx import Document as open_docx
from flask import Flask
from pycrdt import XmlElement, XmlFragment, XmlText
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from auth import access
from auth.policy import Access
from portal import docmodel
from portal.config import Settings
from portal.doclog import appending, reading
from portal.domain import SECTION_TITLES
from portal.models import AuditEvent, Case, Document, Person, Version
from portal.services import documents, provenance, section_k
from portal.services.demo import DEMO_PASSWORD
from tests.browserlike import Browser
from tests.conftest import make_settings

COUNCIL = "Eastbridge County Council"
HEADINGS = [f"Section {key}: {title}" for key, title in SECTION_TITLES.items()]
TABLE = (
    "\n\n| Provision | Hours a week |\n|---|---|\n"
    "| Speech and language therapy | 2 |\n| Teaching assistant | 10 |\n"
    # A picture address the portal has nothing at: its description only.
    "\n![Visual timetable](/documents/999/images/999)\n"
    "\n1. Review the visual timetable each half term.\n"
    "2. Share it with home every Friday.\n"
)
QUOTE = (
    "Leo shows signs of anxiety linked to unpredictability and noise. "
    "He masks at school and releases his distress at home."
)
ACCOUNTS = [
    "caseworker@example.org",
    "parent@example.org",
    "young.person@example.org",
    "senco@example.org",
    "psychologist@example.org",
    "therapist@example.org",
    "social.worker@example.org",
]


@pytest.fixture
def settings() -> Settings:
    return make_settings(COUNCIL_NAME=COUNCIL)


@pytest.fixture
def caseworker(runner: Any, browser: Browser, dbs: Session) -> Browser:
    """The demo case, with a table put in Section F as an import would."""
    assert runner.invoke(args=["demo"]).exit_code == 0
    section_f = _doc(dbs, section="F")
    text = reading.document_text(dbs, section_f.id) + TABLE
    appending.set_text(dbs, section_f, text, None)
    dbs.commit()
    browser.sign_in("caseworker@example.org", DEMO_PASSWORD)
    return browser


def _doc(dbs: Session, **where: Any) -> Document:
    stmt = select(Document)
    for name, value in where.items():
        stmt = stmt.where(getattr(Document, name) == value)
    return dbs.scalars(stmt).one()


def _as(app: Flask, email: str) -> Browser:
    other = Browser(app.test_client())
    other.sign_in(email, DEMO_PASSWORD)
    return other


def _download(browser: Browser, url: str, **args: str) -> TestResponse:
    return browser.get(url, query_string=args)


def _pdf_pages(response: TestResponse) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    return [page.extract_text() for page in reader.pages]


def _docx(response: TestResponse) -> Any:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype.endswith("wordprocessingml.document")
    return open_docx(io.BytesIO(response.data))


def _in_order(text: str, wanted: list[str]) -> bool:
    text = re.sub(r"\s+", " ", text)  # a long heading may wrap
    at = -1
    for words in wanted:
        found = text.find(words, at + 1)
        if found < 0:
            return False
        at = found
    return True


def _share_and_issue(caseworker: Browser) -> None:
    caseworker.post("/cases/1/share", {"shared": "yes"})
    issued = caseworker.post("/cases/1/issue", {"password": DEMO_PASSWORD})
    assert issued.status_code == 302


def _header_xml(docx: Any) -> str:
    return "".join(s.header._element.xml for s in docx.sections)


def _footer_xml(docx: Any) -> str:
    return "".join(s.footer._element.xml for s in docx.sections)


def test_the_plan_as_pdf_has_a_cover_every_section_lists_a_table_and_page_numbers(
    caseworker: Browser,
) -> None:
    answer = _download(caseworker, "/cases/1/plan/download", format="pdf")
    assert answer.headers["Cache-Control"] == "no-store"
    assert (
        'filename="Leo Marchetti - Education, Health and Care Plan - draft.pdf"'
        in (answer.headers["Content-Disposition"])
    )
    pages = _pdf_pages(answer)
    whole = "\n".join(pages)
    cover = pages[0]
    assert "Leo Marchetti" in cover and COUNCIL in cover
    assert "Ashcombe Primary School" in cover and "Section A" not in cover
    assert _in_order(whole, HEADINGS)
    # A list stays a list: bullets before the items, not run-on words.
    assert "•" in whole and "B1. Leo is autistic" in whole
    # The table's cells are laid out in rows; no " | " left from the editor.
    assert re.search(r"Speech and language therapy\s+2", whole)
    assert "Provision | Hours" not in whole
    # Leo's drawing in Section A is in the file; a missing picture is described.
    reader = PdfReader(io.BytesIO(answer.data))
    assert sum(len(page.images) for page in reader.pages)
    # Tagged for screen readers, in English.
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en-GB"
    assert (
        "[Picture: My drawing" not in whole and "[Picture: Visual timetable]" in whole
    )
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert "DRAFT" in page


def test_the_plan_as_word_has_headings_in_order_lists_a_table_and_page_numbers(
    caseworker: Browser,
) -> None:
    docx = _docx(_download(caseworker, "/cases/1/plan/download", format="docx"))
    cover = docx.tables[0]
    cells = [cell.text for row in cover.rows for cell in row.cells]
    assert "Leo Marchetti" in cells and COUNCIL in cells
    headings = [p.text for p in docx.paragraphs if p.style.name == "Heading 1"]
    assert headings == HEADINGS
    bullets = [p.text for p in docx.paragraphs if p.style.name == "List Bullet"]
    assert any(text.startswith("B1. Leo is autistic") for text in bullets)
    numbered = [
        p.text for p in docx.paragraphs if p.style.name.startswith("List Number")
    ]
    assert numbered == [
        "Review the visual timetable each half term.",
        "Share it with home every Friday.",
    ]
    [table] = [t for t in docx.tables[1:] if t.cell(0, 0).text == "Provision"]
    assert [c.text for c in table.rows[1].cells] == ["Speech and language therapy", "2"]
    assert table.cell(0, 0).paragraphs[0].runs[0].bold
    assert len(docx.inline_shapes) == 1  # Leo's drawing
    assert any("[Picture: Visual timetable]" in p.text for p in docx.paragraphs)
    footer = _footer_xml(docx)
    assert 'w:instr=" PAGE "' in footer and 'w:instr=" NUMPAGES "' in footer
    assert 'string="DRAFT"' in _header_xml(docx)
    assert (
        docx.core_properties.title == "Leo Marchetti: Education, Health and Care Plan"
    )


def test_the_draft_watermark_goes_once_the_plan_is_issued(caseworker: Browser) -> None:
    _share_and_issue(caseworker)
    pages = _pdf_pages(_download(caseworker, "/cases/1/plan/download", format="pdf"))
    assert not any("DRAFT" in page for page in pages)
    assert "Final plan issued on" in pages[0]
    docx = _docx(_download(caseworker, "/cases/1/plan/download", format="docx"))
    assert "DRAFT" not in _header_xml(docx)


def test_each_version_downloads_as_it_was_frozen(
    caseworker: Browser, dbs: Session
) -> None:
    section_b = _doc(dbs, section="B")
    caseworker.post("/cases/1/share", {"shared": "yes"})
    # A change after sharing is in the plan now, not in the shared version.
    text = reading.document_text(dbs, section_b.id) + "\n\nAdded after sharing.\n"
    appending.set_text(dbs, section_b, text, None)
    dbs.commit()
    caseworker.post("/cases/1/issue", {"password": DEMO_PASSWORD})
    shared, final = dbs.scalars(
        select(Version).where(Version.document_id == section_b.id).order_by(Version.id)
    ).all()
    page = caseworker.text(f"/versions/{shared.id}")
    assert f"/versions/{shared.id}/download" in page
    draft = "\n".join(
        _pdf_pages(_download(caseworker, f"/versions/{shared.id}/download"))
    )
    assert "DRAFT" in draft and "Added after sharing" not in draft
    assert shared.label in draft and _in_order(draft, HEADINGS)
    issued = "\n".join(
        _pdf_pages(_download(caseworker, f"/versions/{final.id}/download"))
    )
    assert "DRAFT" not in issued and "Added after sharing" in issued


def _mark_passage(caseworker: Browser, dbs: Session) -> None:
    """The psychologist's advice submitted, and a passage of it put in Section F
    with its source mark, as the desk does."""
    ep = _doc(dbs, title="Psychological advice")
    assert ep.owner is not None
    documents.submit_advice(dbs, ep, ep.owner.person)
    dbs.commit()
    taken = caseworker.client.post(
        "/cases/1/excerpts",
        json={"source": ep.id, "section": "F", "quote": QUOTE},
        headers={"X-CSRFToken": caseworker.csrf_token()},
    )
    assert taken.status_code == 201
    ref = taken.get_json()["ref"]
    section_f = _doc(dbs, section="F")
    ydoc = reading.load(dbs, section_f.id).ydoc
    before = ydoc.get_state()
    body: XmlFragment = docmodel.body_of(ydoc)
    with ydoc.transaction():
        paragraph = body.children.append(XmlElement("paragraph"))
        words = paragraph.children.append(XmlText("We know that "))
        words.insert(len("We know that "), QUOTE, {provenance.MARK: {"ref": ref}})
        words.insert(len("We know that ") + len(QUOTE), " So we will plan ahead.")
    appending.append_update(dbs, section_f, ydoc.get_update(before), None)
    dbs.commit()


def test_sources_are_footnotes_only_when_the_caseworker_asks(
    caseworker: Browser, dbs: Session, app: Flask
) -> None:
    _mark_passage(caseworker, dbs)
    note = "From Psychological advice by Dr Martin Hale"
    url = "/cases/1/plan/download"
    plain = "\n".join(_pdf_pages(_download(caseworker, url)))
    assert QUOTE[:40] in plain and note not in plain
    noted = "\n".join(_pdf_pages(_download(caseworker, url, sources="yes")))
    assert note in noted

    docx = _docx(_download(caseworker, url, format="docx"))
    assert not any("footnotes" in str(p.partname) for p in docx.part.package.parts)
    docx = _docx(_download(caseworker, url, format="docx", sources="yes"))
    [part] = [p for p in docx.part.package.parts if "footnotes" in str(p.partname)]
    assert note in part.blob.decode("utf-8")
    [para] = [p for p in docx.paragraphs if QUOTE[:40] in p.text]
    assert "w:footnoteReference" in para._p.xml
    # The reference follows the passage, before the caseworker's own words.
    assert para._p.xml.index("footnoteReference") < para._p.xml.index("So we will")

    caseworker.post("/cases/1/share", {"shared": "yes"})
    parent = _as(app, "parent@example.org")
    assert _download(parent, url, sources="yes").status_code == 403
    assert "sources" not in parent.text("/cases/1")
    assert 'name="sources"' in caseworker.text("/cases/1")


def test_downloads_are_audited(caseworker: Browser, dbs: Session) -> None:
    _download(caseworker, "/cases/1/plan/download", format="docx")
    event = dbs.scalars(
        select(AuditEvent).where(AuditEvent.action == "plan.downloaded")
    ).one()
    assert event.detail == {"format": "docx", "sources": False}
    assert (
        _download(caseworker, "/cases/1/plan/download", format="odt").status_code == 400
    )


def _matrix(browsers: dict[str, Browser], dbs: Session, kinds: set[str]) -> None:
    """Every demo account downloads each document (of these kinds) it may
    read, and no other, and the whole plan only when it may read all of it."""
    dbs.expire_all()
    docs = dbs.scalars(select(Document).order_by(Document.id)).all()
    for email, browser in browsers.items():
        person = dbs.scalars(select(Person).where(Person.email == email)).one()
        for doc in (d for d in docs if d.kind in kinds):
            readable = access.access_to(dbs, person, doc) >= Access.READ
            answer = _download(browser, f"/documents/{doc.id}/download", format="docx")
            assert answer.status_code == (200 if readable else 403), (email, doc.title)
        sections = [d for d in docs if d.kind == "plan_section"]
        whole = all(access.access_to(dbs, person, d) >= Access.READ for d in sections)
        answer = _download(browser, "/cases/1/plan/download", format="docx")
        assert answer.status_code == (200 if whole else 403), email


def test_each_demo_account_downloads_what_it_may_read(
    caseworker: Browser, dbs: Session, app: Flask
) -> None:
    browsers = {email: _as(app, email) for email in ACCOUNTS}
    psychologist = browsers["psychologist@example.org"]
    parent = browsers["parent@example.org"]
    ep = _doc(dbs, title="Psychological advice")
    assert ep.status == "draft"
    # The psychologist downloads their own unsubmitted advice, marked draft.
    own = _pdf_pages(_download(psychologist, f"/documents/{ep.id}/download"))
    assert "DRAFT" in own[0] and "Dr Martin Hale" in own[0]
    assert f"/documents/{ep.id}/download" in psychologist.text(f"/documents/{ep.id}")
    assert _download(parent, f"/documents/{ep.id}/download").status_code == 403
    # Before sharing, only the caseworker has the whole plan.
    assert _download(psychologist, "/cases/1/plan/download").status_code == 403
    assert "download-plan" not in psychologist.text("/cases/1")
    _matrix(browsers, dbs, {"advice"})
    caseworker.post("/cases/1/share", {"shared": "yes"})
    assert _download(psychologist, "/cases/1/plan/download").status_code == 200
    assert "download-plan" in psychologist.text("/cases/1")
    _matrix(browsers, dbs, {"advice", "plan_section"})


def test_submitted_advice_downloads_as_its_version_without_the_watermark(
    caseworker: Browser, dbs: Session, app: Flask
) -> None:
    psychologist = _as(app, "psychologist@example.org")
    ep = _doc(dbs, title="Psychological advice")
    assert ep.owner is not None
    version = documents.submit_advice(dbs, ep, ep.owner.person)
    dbs.commit()
    page = psychologist.text(f"/versions/{version.id}")
    assert f"/versions/{version.id}/download" in page and 'name="sources"' not in page
    pages = _pdf_pages(_download(psychologist, f"/versions/{version.id}/download"))
    assert not any("DRAFT" in p for p in pages)
    assert "Psychological advice" in pages[0] and version.label in pages[0]
    assert (
        _download(
            _as(app, "parent@example.org"), f"/versions/{version.id}/download"
        ).status_code
        == 403
    )
    event = dbs.scalars(
        select(AuditEvent).where(AuditEvent.action == "document.downloaded")
    ).one()
    assert event.document_id == ep.id and event.detail["version"] == version.id


def test_section_k_in_the_draft_lists_the_advice_received(
    caseworker: Browser, dbs: Session
) -> None:
    case = dbs.get(Case, 1)
    assert case is not None
    received = [section_k.line(entry) for entry in section_k.entries(dbs, case)]
    assert received, "the demo case has advice received"
    docx = _docx(_download(caseworker, "/cases/1/plan/download", format="docx"))
    text = "\n".join(p.text for p in docx.paragraphs)
    section = text[text.index(HEADINGS[-1]) :]
    for line in received:
        assert line in section
