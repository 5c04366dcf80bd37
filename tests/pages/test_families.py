"""What a parent, a young person and a professional see of "All about me",
Section A and their own part, and what the editor partial is told to show."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask, template_rendered
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import guidance
from portal.models import AuditEvent, Case, Document, Membership
from tests.browserlike import Browser
from tests.factories import Factory

JARGON = ["discipline", "regulation 6", "reg6", "plan_section", "findings", "advice"]


def visible(page: str) -> str:
    """The words a reader sees: no tags, attributes or scripts."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@contextmanager
def rendered(app: Flask) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """(template name, context) of every template rendered meanwhile."""
    seen: list[tuple[str, dict[str, Any]]] = []

    def record(sender: Flask, template: Any, context: dict[str, Any], **_: Any) -> None:
        seen.append((template.name, context))

    template_rendered.connect(record, app)
    try:
        yield seen
    finally:
        template_rendered.disconnect(record, app)


def family(make: Factory) -> tuple[Case, Membership, Membership, Document, Document]:
    """A case with a parent and a young person, each with their own part."""
    case = make.case()
    parent = make.member(case, "parent")
    child = make.member(case, "young_person")
    views = make.advice(case, parent, "parent_carer", text="Ruby loves horses.")
    about_me = make.advice(case, child, "child_young_person", text="I like drawing.")
    return case, parent, child, views, about_me


def test_the_child_gets_a_friendly_page_with_prompts_and_no_scores(
    app: Flask, browser: Browser, make: Factory
) -> None:
    case, _, child, _, about_me = family(make)
    browser.sign_in(child.person.email)
    with rendered(app) as seen:
        page = browser.text(f"/documents/{about_me.id}")
    name, context = seen[0]
    assert name == "documents/all_about_me.html"
    assert context["show_check"] is False
    assert context["images_url"] == f"/documents/{about_me.id}/images"
    assert context["prompts"] == guidance.ALL_ABOUT_ME_PROMPTS
    assert context["image_alt_label"] == "What is in your picture?"
    assert context["image_alt_hint"] == "For example: me and my dog at the park"
    words = visible(page)
    assert "All about me" in words and "Ruby" in words
    assert "Write or add pictures about you. You can ask a grown-up to help." in words
    for prompt in guidance.ALL_ABOUT_ME_PROMPTS:
        assert prompt["heading"] in words
        assert all(starter in words for starter in prompt["starters"])
    assert "Send to Casey" in words
    assert (
        "After you send it, you can't change it unless Casey opens it again." in words
    )
    assert "Reading age" not in words and "reading age" not in page.lower()
    for word in ("submit advice", "discipline", "regulation 6"):
        assert word not in words.lower()


def test_the_partial_leaves_out_the_check_panel_and_asks_about_pictures(
    browser: Browser, make: Factory
) -> None:
    _, _, child, _, about_me = family(make)
    browser.sign_in(child.person.email)
    page = browser.text(f"/documents/{about_me.id}")
    assert 'id="check-panel"' not in page and ">Check<" not in page
    assert "What is in your picture?" in html.unescape(page)
    words = visible(page)
    assert "Write about you" in words and "Others see what you write" not in words


def test_ordinary_pages_tell_the_partial_to_keep_its_defaults(
    app: Flask, browser: Browser, make: Factory
) -> None:
    case = make.case()
    slt = make.member(case, "professional", discipline="speech_language_therapist")
    advice = make.advice(case, slt, "speech_language_therapist")
    browser.sign_in(slt.person.email)
    with rendered(app) as seen:
        page = browser.text(f"/documents/{advice.id}")
    name, context = seen[0]
    assert name == "documents/show.html"
    assert context["show_check"] is True
    assert context["images_url"] is None and context["prompts"] is None
    words = visible(page)
    # Professionals keep the precise words.
    assert "Submit advice" in words and "What good advice contains" in words
    assert "Due " in words


def test_the_parent_reads_the_childs_page_but_cannot_change_or_send_it(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    case, parent, _, _, about_me = family(make)
    browser.sign_in(parent.person.email)
    response = browser.get(f"/documents/{about_me.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'data-access="read"' in page
    assert "You can read it as it is written, but you cannot change it." in visible(
        page
    )
    assert "I like drawing." in page
    assert 'id="submit-form"' not in page and "Send to" not in page
    assert browser.post(f"/documents/{about_me.id}/submit", {}).status_code == 403
    dbs.expire_all()
    assert dbs.get(Document, about_me.id).status == "draft"


def test_only_the_family_and_the_caseworker_open_the_childs_page(
    browser: Browser, make: Factory
) -> None:
    case, _, _, views, about_me = family(make)
    ep = make.member(case, "professional", discipline="educational_psychologist")
    browser.sign_in(ep.person.email)
    # On the case but not shared: refused, as for any other advice (403).
    assert browser.get(f"/documents/{about_me.id}").status_code == 403
    browser.sign_out()
    browser.sign_in(make.person().email)  # not on the case: nothing there (404)
    assert browser.get(f"/documents/{about_me.id}").status_code == 404
    browser.sign_out()
    browser.sign_in(case.memberships[0].person.email)
    page = browser.text(f"/documents/{about_me.id}")
    assert 'data-access="comment"' in page and "Reopen" not in page


def test_the_child_does_not_read_the_parents_views(
    browser: Browser, make: Factory
) -> None:
    _, _, child, views, _ = family(make)
    browser.sign_in(child.person.email)
    assert browser.get(f"/documents/{views.id}").status_code == 403


def test_the_parent_dashboard_says_they_co_write_section_a_with_links(
    browser: Browser, make: Factory
) -> None:
    case, parent, _, _, about_me = family(make)
    browser.sign_in(parent.person.email)
    page = browser.text("/")
    words = visible(page)
    assert (
        "Section A is about Ruby's views, interests and hopes. "
        "You and Ruby write it together with the caseworker."
    ) in " ".join(words.split())
    section_a = make.section(case, "A")
    link = re.search(rf'href="([^"]+)" id="section-a-link-{case.id}"', page)
    assert link and link.group(1).endswith(f"/documents/{section_a.id}")
    opened = browser.get(link.group(1))
    assert opened.status_code == 200
    assert 'data-access="edit"' in opened.get_data(as_text=True)
    child_link = re.search(rf'href="([^"]+)" id="child-page-link-{about_me.id}"', page)
    assert child_link and "Read Ruby's All about me" in words
    assert browser.get(child_link.group(1)).status_code == 200


def test_the_young_person_dashboard_speaks_to_them(
    browser: Browser, make: Factory
) -> None:
    _, _, child, _, _ = family(make)
    browser.sign_in(child.person.email)
    words = " ".join(visible(browser.text("/")).split())
    assert "Section A is about your views, interests and hopes." in words
    assert "Ideas for what to write" in words
    assert "Read Ruby's All about me" not in words  # it is their own


def test_a_parent_sees_no_caseworker_vocabulary(
    browser: Browser, make: Factory
) -> None:
    case, parent, _, views, _ = family(make)
    browser.sign_in(parent.person.email)
    pages = {
        "home": browser.text("/"),
        "case": browser.text(f"/cases/{case.id}"),
        "views": browser.text(f"/documents/{views.id}"),
    }
    for name, page in pages.items():
        words = visible(page).lower()
        for jargon in JARGON:
            assert jargon not in words, (name, jargon)
    views_words = " ".join(visible(pages["views"]).split())
    due = views.due_date
    assert f"Please finish by {due.day} {due:%B %Y}" in views_words
    assert "Send your views to Casey" in views_words
    assert "What to write about" in views_words
    assert "Please finish by" in visible(pages["home"])


def test_a_parent_writes_all_about_me_for_a_child_without_an_account(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    case = make.case()
    parent = make.member(case, "parent", make.person(name="Sofia Marchetti"))
    caseworker = case.memberships[0].person
    browser.sign_in(caseworker.email)
    assert "Ask a parent to write All about me" in browser.text(f"/cases/{case.id}")
    made = browser.post(f"/cases/{case.id}/all-about-me", {"membership_id": parent.id})
    assert made.status_code == 302
    doc = dbs.scalar(
        select(Document).where(Document.discipline == "child_young_person")
    )
    assert doc is not None and doc.owner_membership_id == parent.id
    event = dbs.scalar(
        select(AuditEvent).where(AuditEvent.action == "document.assigned")
    )
    assert event is not None and event.document_id == doc.id
    # Once is enough: a second request makes no second page.
    browser.post(f"/cases/{case.id}/all-about-me", {"membership_id": parent.id})
    assert (
        len(
            dbs.scalars(
                select(Document).where(Document.discipline == "child_young_person")
            ).all()
        )
        == 1
    )
    browser.sign_out()

    browser.sign_in(parent.person.email)
    page = browser.text(f"/documents/{doc.id}")
    words = " ".join(visible(page).split())
    assert "Written by Sofia Marchetti with Ruby" in words
    assert 'data-access="edit"' in page and "Send to Casey" in words
    assert browser.post(f"/documents/{doc.id}/submit", {}).status_code == 302
    assert "You sent All about me to Casey" in visible(browser.text("/"))


@pytest.mark.parametrize("role", ["parent", "professional"])
def test_only_the_caseworker_asks_a_parent_to_write_all_about_me(
    browser: Browser, make: Factory, dbs: Session, role: str
) -> None:
    case = make.case()
    parent = make.member(case, "parent")
    me = (
        parent
        if role == "parent"
        else make.member(case, role, discipline="school_senco")
    )
    browser.sign_in(me.person.email)
    response = browser.post(
        f"/cases/{case.id}/all-about-me", {"membership_id": parent.id}
    )
    assert response.status_code == 403
    assert (
        dbs.scalar(select(Document).where(Document.discipline == "child_young_person"))
        is None
    )


def test_a_new_all_about_me_opens_with_the_prompts_to_write_under(
    dbs: Session, make: Factory
) -> None:
    from pycrdt import XmlElement

    from portal import docmodel
    from portal.doclog import reading
    from portal.services import documents

    case = make.case()
    doc = documents.create_advice(dbs, case, guidance.CHILD, None)
    dbs.commit()
    body = docmodel.body_of(reading.load(dbs, doc.id).ydoc)
    tags = [c.tag for c in body.children if isinstance(c, XmlElement)]
    assert tags == ["heading", "paragraph"] * len(guidance.ALL_ABOUT_ME_PROMPTS)
    text = reading.document_text(dbs, doc.id)
    assert (
        text
        == "".join(f"## {p['heading']}\n\n" for p in guidance.ALL_ABOUT_ME_PROMPTS)[:-1]
    )


def test_whether_section_a_sounds_like_the_child_is_for_the_caseworker(
    browser: Browser, make: Factory
) -> None:
    """The child-voice check questions the plan's wording; a parent writing
    Section A is not told their child's words do not sound like a child."""
    case = make.case()
    parent = make.member(case, "parent")
    section_a = make.section(case, "A")
    text = (
        "## Section A\n\nRuby presents as a quiet girl who demonstrates limited "
        "engagement with adult-led tasks. She is reported to enjoy drawing.\n"
    )

    def kinds(email: str) -> set[str]:
        browser.sign_in(email)
        response = browser.client.post(
            f"/api/documents/{section_a.id}/assistant",
            json={"text": text},
            headers={"X-CSRFToken": browser.csrf_token()},
        )
        browser.sign_out()
        assert response.status_code == 200
        return {f["kind"] for f in response.get_json()["findings"]}

    assert "section_a_not_child_voice" in kinds(case.memberships[0].person.email)
    assert "section_a_not_child_voice" not in kinds(parent.person.email)


def test_only_the_childs_own_page_may_use_the_microphone(
    browser: Browser, make: Factory
) -> None:
    _, parent, child, views, about_me = family(make)
    browser.sign_in(child.person.email)
    mine = browser.get(f"/documents/{about_me.id}").headers["Permissions-Policy"]
    assert "microphone=(self)" in mine
    home = browser.get("/").headers["Permissions-Policy"]
    assert "microphone=()" in home
    browser.sign_out()
    browser.sign_in(parent.person.email)
    # The parent reads it but cannot record into it; their own page records nothing.
    for doc in (about_me, views):
        policy = browser.get(f"/documents/{doc.id}").headers["Permissions-Policy"]
        assert "microphone=()" in policy
