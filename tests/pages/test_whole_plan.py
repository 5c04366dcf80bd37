"""The whole plan on one page: the statutory layout, sections each reader
may read (and which they may not yet), the caseworker's gap summary and
where merged passages came from."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask import Flask
from pycrdt import XmlElement, XmlFragment, XmlText
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import docmodel
from portal.doclog import appending, reading
from portal.models import Document
from portal.services import provenance
from portal.services.demo import DEMO_PASSWORD
from tests.browserlike import Browser
from tests.factories import Factory

ORDER = ["A", "B", "C", "D", "E", "F", "G", "H1", "H2", "I", "J", "K"]
HEADINGS = [
    "Section A: Views, interests and aspirations",
    "Section B: Special educational needs",
    "Section C: Health needs",
    "Section D: Social care needs",
    "Section E: Outcomes",
    "Section F: Special educational provision",
    "Section G: Health provision",
    "Section H1: Social care provision (Chronically Sick and Disabled Persons Act)",
    "Section H2: Other social care provision",
    "Section I: Placement",
    "Section J: Personal budget",
    "Section K: Advice and information",
]
_SECTION = re.compile(
    r'<section class="app-plan__section" id="section-([A-K][12]?)" '
    r'data-shared="(yes|no)".*?<h2[^>]*>(.*?)</h2>(.*?)</section>',
    re.S,
)
_TAG = re.compile(r"<[^>]+>")
_INLINE = re.compile(r"</?(?:a|span|strong|em|code|kbd)\b[^>]*>")
QUOTE = (
    "Leo shows signs of anxiety linked to unpredictability and noise. "
    "He masks at school and releases his distress at home."
)


def _words(fragment: str) -> str:
    inline_gone = _INLINE.sub("", fragment)
    return " ".join(html.unescape(_TAG.sub(" ", inline_gone)).split())


def sections_of(page: str) -> list[tuple[str, bool, str, str]]:
    """(key, shared, heading, words) for each section, in page order."""
    return [
        (key, shared == "yes", _words(heading), _words(body))
        for key, shared, heading, body in _SECTION.findall(page)
    ]


def _as(app: Flask, email: str) -> Browser:
    other = Browser(app.test_client())
    other.sign_in(email, DEMO_PASSWORD)
    return other


def _doc(dbs: Session, **where: Any) -> Document:
    stmt = select(Document)
    for name, value in where.items():
        stmt = stmt.where(getattr(Document, name) == value)
    return dbs.scalars(stmt).one()


@pytest.fixture
def caseworker(runner: Any, app: Flask) -> Browser:
    assert runner.invoke(args=["demo"]).exit_code == 0
    return _as(app, "caseworker@example.org")


def test_the_caseworker_reads_the_whole_plan_in_statutory_order(
    caseworker: Browser,
) -> None:
    answer = caseworker.get("/cases/1/plan")
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    facts = _words(page.split('id="plan-heading"')[1].split("</dl>")[0])
    for fact in (
        "Child or young person Leo Marchetti",
        "School or setting Ashcombe Primary School",
        "Council Eastbridge County Council",
        "Reference DEMO-0001",
        "Plan Assessment (draft, not yet shared",
    ):
        assert fact in facts
    found = sections_of(page)
    assert [s[0] for s in found] == ORDER
    assert [s[2] for s in found] == HEADINGS
    assert all(shared for _, shared, _, _ in found)
    text = {key: words for key, _, _, words in found}
    assert "F1. A teaching assistant trained in autism" in text["F"]
    assert "B4. Leo becomes anxious when routines change" in text["B"]
    assert text["K"].startswith("K1. Social care advice: Tom Brennan")
    assert 'id="plan-not-shared"' not in page


def _open_count(page: str, marker: str) -> int:
    match = re.search(r"The built-in checks found (\d+) thing", page.split(marker)[1])
    assert match, "the page says how many checks are open"
    return int(match.group(1))


def test_the_gap_summary_beside_the_plan_is_the_case_pages_checks(
    caseworker: Browser,
) -> None:
    plan = caseworker.text("/cases/1/plan")
    case_page = caseworker.text("/cases/1")
    count = _open_count(plan, 'id="plan-gaps"')
    assert count > 0
    assert count == _open_count(case_page, 'id="findings-heading"')
    gaps = plan.split('id="plan-gaps"')[1]
    # The demo's F2 "access to regular SALT input" is vague provision.
    assert 'href="#section-F"' in gaps and "vague" in gaps.lower()


def _append_marked(body: XmlFragment, text: str, ref: str) -> None:
    paragraph = body.children.append(XmlElement("paragraph"))
    paragraph.children.append(XmlText()).insert(
        0, text, {provenance.MARK: {"ref": ref}}
    )


def _edit(dbs: Session, doc: Document, change: Any) -> None:
    ydoc = reading.load(dbs, doc.id).ydoc
    before = ydoc.get_state()
    with ydoc.transaction():
        change(docmodel.body_of(ydoc))
    appending.append_update(dbs, doc, ydoc.get_update(before), None)
    dbs.commit()


def test_merged_passages_name_their_source_for_the_caseworker_only(
    caseworker: Browser, app: Flask, dbs: Session
) -> None:
    ep = _doc(dbs, title="Psychological advice")
    section_f = _doc(dbs, kind="plan_section", section="F")
    taken = caseworker.client.post(
        "/cases/1/excerpts",
        json={"source": ep.id, "section": "F", "quote": QUOTE},
        headers={"X-CSRFToken": caseworker.csrf_token()},
    )
    assert taken.status_code == 201
    ref = taken.get_json()["ref"]
    _edit(dbs, section_f, lambda body: _append_marked(body, QUOTE, ref))

    page = caseworker.text("/cases/1/plan")
    [(_, _, _, words)] = [s for s in sections_of(page) if s[0] == "F"]
    assert "[1] Source: “Leo shows signs of anxiety linked to unpredictability" in words
    assert (
        "from Psychological advice, Dr Martin Hale, "
        "Eastbridge Educational Psychology Service" in words
    )
    # A full address, so the printed plan says where to find the source.
    assert re.search(rf'href="https?://[^"/]+/documents/{ep.id}"', page)
    assert "changed since it was taken" not in words
    # Its footnote mark follows the passage in the text.
    assert 'releases his distress at home. <a href="#source-1">[1]</a>' in page

    def shorten(body: XmlFragment) -> None:
        paragraph = body.children[len(body.children) - 1]
        text = paragraph.children[0]
        del text[20:]

    _edit(dbs, section_f, shorten)
    page = caseworker.text("/cases/1/plan")
    assert "(changed since it was taken)" in page

    # Once shared, the family reads the passage, not where the portal took it.
    caseworker.post("/cases/1/share", {"shared": "yes"})
    parent_page = _as(app, "parent@example.org").text("/cases/1/plan")
    assert "Leo shows signs of a" in parent_page
    assert "Source:" not in parent_page and 'id="plan-gaps"' not in parent_page


def test_each_reader_sees_the_sections_they_may_read_and_which_are_not_shared(
    caseworker: Browser, app: Flask, make: Factory
) -> None:
    parent = _as(app, "parent@example.org")
    found = sections_of(parent.text("/cases/1/plan"))
    assert [k for k, shared, _, _ in found if shared] == ["A"]  # the family writes A
    page = parent.text("/cases/1/plan")
    notice = _words(page.split('id="plan-not-shared">')[1].split("</div>")[0])
    assert notice == (
        "Not shared with you yet: Sections B, C, D, E, F, G, H1, H2, I, J and K."
    )
    [(_, _, _, words_b)] = [s for s in found if s[0] == "B"]
    assert words_b == "Not shared with you yet."
    assert "Leo becomes anxious when routines change" not in page

    professional = _as(app, "psychologist@example.org")
    page = professional.text("/cases/1/plan")
    assert "The caseworker has not shared the plan with you yet." in page
    assert not any(shared for _, shared, _, _ in sections_of(page))

    caseworker.post("/cases/1/share", {"shared": "yes"})
    page = professional.text("/cases/1/plan")
    assert all(shared for _, shared, _, _ in sections_of(page))
    assert (
        "Leo becomes anxious when routines change" in page
        and 'id="plan-gaps"' not in page
    )

    stranger = make.person()
    outsider = Browser(app.test_client())
    outsider.sign_in(stranger.email)
    assert outsider.get("/cases/1/plan").status_code == 404


def test_the_case_page_and_the_desk_link_to_the_whole_plan(
    caseworker: Browser, app: Flask
) -> None:
    assert 'href="/cases/1/plan"' in caseworker.text("/cases/1")
    assert 'href="/cases/1/plan"' in caseworker.text("/cases/1/desk")
    parent = _as(app, "parent@example.org")
    assert 'href="/cases/1/plan"' in parent.text("/cases/1")


def _api_post(browser: Browser, url: str, body: dict[str, Any]) -> Any:
    page = browser.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert token, "pages carry the CSRF token for scripts"
    return browser.client.post(url, json=body, headers={"X-CSRFToken": token[1]})


def test_comments_and_proposals_show_under_their_section_for_its_readers(
    caseworker: Browser, app: Flask, dbs: Session
) -> None:
    section_a, section_f = _doc(dbs, section="A"), _doc(dbs, section="F")
    parent = _as(app, "parent@example.org")
    made = _api_post(
        parent,
        f"/api/documents/{section_a.id}/comments",
        {"body": "Leo also loves drawing trains."},
    )
    assert made.status_code == 201
    professional = _as(app, "psychologist@example.org")
    assert "Leo also loves drawing trains." not in professional.text("/cases/1/plan")

    caseworker.post("/cases/1/share", {"shared": "yes"})
    proposed = _api_post(
        parent,
        f"/api/documents/{section_f.id}/proposals",
        {
            "quote": "A teaching assistant trained in autism",
            "replacement": "A teaching assistant with Level 3 autism training",
            "reason": "Say what training.",
        },
    )
    assert proposed.status_code == 201, proposed.get_json()
    for reader in (caseworker, parent, professional):
        found = {
            k: words for k, _, _, words in sections_of(reader.text("/cases/1/plan"))
        }
        assert "Comments on Section A (1 open)" in found["A"]
        assert "Parent" in found["A"] and "Leo also loves drawing trains." in found["A"]
        assert "Comments on Section F (1 open)" in found["F"]
        assert "proposed a change (waiting for the caseworker)" in found["F"]
        assert "Level 3 autism training" in found["F"]
        assert "Comments on Section B" not in found["B"]
