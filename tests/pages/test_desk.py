"""The caseworker's desk over HTTP: taking a passage with its source, what
provenance says after the plan's words are split, shortened, moved and
deleted, who may do and see what, and "Start the draft" over the example
cases."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pycrdt import XmlElement, XmlFragment, XmlText
from sqlalchemy import select
from sqlalchemy.orm import Session

from auth import access
from portal import docmodel
from portal.assistant.checks.advice import recommendations
from portal.doclog import appending, reading
from portal.models import (
    AuditEvent,
    Case,
    Document,
    DraftProposal,
    Excerpt,
    Membership,
    Person,
)
from portal.services import documents, drafting, provenance, review
from portal.services.demo import DEMO_PASSWORD
from tests.browserlike import Browser

EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "examples"
QUOTE = (
    "Leo shows signs of anxiety linked to unpredictability and noise. "
    "He masks at school and releases his distress at home."
)


def _doc(dbs: Session, **where: Any) -> Document:
    stmt = select(Document)
    for name, value in where.items():
        stmt = stmt.where(getattr(Document, name) == value)
    return dbs.scalars(stmt).one()


def _submit(dbs: Session, title: str) -> Document:
    doc = _doc(dbs, title=title)
    assert doc.owner is not None
    documents.submit_advice(dbs, doc, doc.owner.person)
    dbs.commit()
    return doc


def _edit(dbs: Session, doc: Document, change: Callable[[XmlFragment], None]) -> None:
    """One edit to a document's body, stored as an editor's update is."""
    ydoc = reading.load(dbs, doc.id).ydoc
    before = ydoc.get_state()
    with ydoc.transaction():
        change(docmodel.body_of(ydoc))
    appending.append_update(dbs, doc, ydoc.get_update(before), None)
    dbs.commit()


def _append_marked(body: XmlFragment, text: str, ref: str) -> None:
    paragraph = body.children.append(XmlElement("paragraph"))
    words = paragraph.children.append(XmlText())
    words.insert(0, text, {provenance.MARK: {"ref": ref}})


def _marked_paragraphs(body: XmlFragment, ref: str) -> list[tuple[int, XmlText]]:
    out = []
    for n, child in enumerate(body.children):
        if isinstance(child, XmlElement) and child.tag == "paragraph":
            for text in child.children:
                if isinstance(text, XmlText) and any(
                    provenance._refs_in(attrs) == [ref] for _, attrs in text.diff()
                ):
                    out.append((n, text))
    return out


@pytest.fixture
def desk(runner: Any, browser: Browser, dbs: Session) -> Browser:
    assert runner.invoke(args=["demo"]).exit_code == 0
    _submit(dbs, "Psychological advice")
    browser.sign_in("caseworker@example.org", DEMO_PASSWORD)
    return browser


def _post_json(browser: Browser, url: str, body: dict[str, Any]) -> Any:
    return browser.client.post(
        url, json=body, headers={"X-CSRFToken": browser.csrf_token()}
    )


def _take(browser: Browser, source: int, section: str, quote: str) -> Any:
    return _post_json(
        browser,
        "/cases/1/excerpts",
        {"source": source, "section": section, "quote": quote},
    )


def _provenance(browser: Browser) -> dict[str, Any]:
    answer = browser.get("/cases/1/provenance")
    assert answer.status_code == 200
    return answer.get_json()  # type: ignore[no-any-return]


def _usage_of(answer: dict[str, Any], title: str) -> dict[str, Any]:
    return next(c for c in answer["contributions"] if c["title"] == title)


def test_a_passage_keeps_its_source_through_split_shorten_move_and_delete(
    desk: Browser, dbs: Session
) -> None:
    ep = _doc(dbs, title="Psychological advice")
    section_f = _doc(dbs, kind="plan_section", section="F")
    section_e = _doc(dbs, kind="plan_section", section="E")
    taken = _take(desk, ep.id, "F", QUOTE)
    assert taken.status_code == 201
    ref = taken.get_json()["ref"]
    assert taken.get_json()["author"] == ep.owner.person.name  # type: ignore[union-attr]
    before = _usage_of(_provenance(desk), "Psychological advice")
    assert before["passages"] == 0 and before["percent_used"] == 0

    # The editor puts the words in Section F with the mark.
    _edit(dbs, section_f, lambda body: _append_marked(body, QUOTE, ref))
    answer = _provenance(desk)
    [passage] = [p for p in answer["passages"] if p["ref"] == ref]
    assert passage["section"] == "F" and passage["changed"] is False
    assert passage["quote"] == QUOTE and passage["link"] == f"/documents/{ep.id}"
    whole = _usage_of(answer, "Psychological advice")
    assert whole["passages"] == 1 and whole["percent_used"] > 0

    # Split into two paragraphs: the same words, so unchanged and as used.
    def split(body: XmlFragment) -> None:
        [(n, text)] = _marked_paragraphs(body, ref)
        cut = QUOTE.index("He masks")
        del text[cut:]
        second = body.children.insert(n + 1, XmlElement("paragraph"))
        second.children.append(XmlText()).insert(
            0, QUOTE[cut:], {provenance.MARK: {"ref": ref}}
        )

    _edit(dbs, section_f, split)
    answer = _provenance(desk)
    [passage] = [p for p in answer["passages"] if p["ref"] == ref]
    assert passage["changed"] is False
    assert _usage_of(answer, "Psychological advice") == whole

    # Shortened to "He masks at school.": six words go, the passage says it
    # changed and the share used drops by exactly those words.
    def shorten(body: XmlFragment) -> None:
        [_, (_, text)] = _marked_paragraphs(body, ref)
        words = "".join(v for v, _ in text.diff())
        start = words.index(" and releases")
        del text[start : len(words) - 1]

    _edit(dbs, section_f, shorten)
    usage = provenance.usage(dbs, dbs.get(Case, 1))  # type: ignore[arg-type]
    ep_usage = next(u for u in usage if u.document.id == ep.id)
    assert ep_usage.used_words == len(QUOTE.split()) - 6
    answer = _provenance(desk)
    [passage] = [p for p in answer["passages"] if p["ref"] == ref]
    assert passage["changed"] is True and passage["section"] == "F"

    # Moved to Section E: still found, now there.
    def cut_out(body: XmlFragment) -> None:
        for n, _ in reversed(_marked_paragraphs(body, ref)):
            del body.children[n]

    _edit(dbs, section_f, cut_out)
    _edit(dbs, section_e, lambda body: _append_marked(body, "Leo shows signs", ref))
    [passage] = [p for p in _provenance(desk)["passages"] if p["ref"] == ref]
    assert passage["section"] == "E" and passage["changed"] is True

    # Deleted: no longer in the plan, and the advice counts as unused again.
    _edit(dbs, section_e, cut_out)
    answer = _provenance(desk)
    assert [p for p in answer["passages"] if p["ref"] == ref] == []
    assert _usage_of(answer, "Psychological advice")["percent_used"] == 0
    kinds = dbs.scalars(select(AuditEvent.action)).all()
    assert "plan.passage_taken" in kinds


def test_a_passage_must_be_the_sources_own_words(desk: Browser, dbs: Session) -> None:
    ep = _doc(dbs, title="Psychological advice")
    made_up = _take(desk, ep.id, "F", "Leo needs a 1:1 assistant all day.")
    assert made_up.status_code == 400
    assert "not in the advice" in made_up.get_json()["error"]
    assert _take(desk, ep.id, "F", "  ").status_code == 400
    assert (
        _take(desk, ep.id, "Z", QUOTE)
        .get_json()["error"]
        .startswith("This plan has no Section")
    )
    assert _take(desk, 10**12, "F", QUOTE).status_code == 400
    assert _take(desk, 999_999, "F", QUOTE).status_code == 404
    huge = _take(desk, ep.id, "F", "x" * (provenance.MAX_QUOTE_CHARS + 1))
    assert huge.status_code == 400 and "too long" in huge.get_json()["error"]
    not_json = desk.client.post(
        "/cases/1/excerpts", data="{", headers={"X-CSRFToken": desk.csrf_token()}
    )
    assert not_json.status_code == 400 and "JSON" in not_json.get_json()["error"]
    assert dbs.scalars(select(Excerpt)).all() == []


@pytest.mark.parametrize(
    "email",
    ["parent@example.org", "psychologist@example.org", "young.person@example.org"],
)
def test_only_the_caseworker_merges(
    runner: Any, browser: Browser, dbs: Session, email: str
) -> None:
    assert runner.invoke(args=["demo"]).exit_code == 0
    ep = _submit(dbs, "Psychological advice")
    browser.sign_in(email, DEMO_PASSWORD)
    assert browser.get("/cases/1/desk").status_code == 403
    assert _take(browser, ep.id, "F", QUOTE).status_code == 403
    assert _post_json(browser, "/cases/1/draft", {}).status_code == 403
    assert browser.get("/cases/1/draft").status_code == 403
    # They may ask where plan passages came from, but not for usage figures.
    assert "contributions" not in _provenance(browser)
    assert dbs.scalars(select(Excerpt)).all() == []
    assert dbs.scalars(select(DraftProposal)).all() == []


def test_readers_of_the_plan_see_where_a_passage_came_from_but_not_unread_words(
    desk: Browser, app: Any, dbs: Session
) -> None:
    ep = _doc(dbs, title="Psychological advice")
    ref = _take(desk, ep.id, "B", QUOTE).get_json()["ref"]
    section_b = _doc(dbs, kind="plan_section", section="B")
    _edit(dbs, section_b, lambda body: _append_marked(body, QUOTE, ref))
    case = dbs.get(Case, 1)
    assert case is not None
    case.draft_shared = True
    dbs.commit()
    # The therapist reads Section B but not the psychologist's advice.
    therapist = Browser(app.test_client())
    therapist.sign_in("therapist@example.org", DEMO_PASSWORD)
    [passage] = [p for p in _provenance(therapist)["passages"] if p["ref"] == ref]
    assert passage["title"] == "Psychological advice"
    assert "quote" not in passage and "link" not in passage
    # Its author reads both.
    author = Browser(app.test_client())
    author.sign_in("psychologist@example.org", DEMO_PASSWORD)
    [passage] = [p for p in _provenance(author)["passages"] if p["ref"] == ref]
    assert passage["quote"] == QUOTE


def test_start_the_draft_proposes_and_accepting_records_a_source(
    desk: Browser, dbs: Session
) -> None:
    _submit(dbs, "Speech and language therapy advice")
    started = _post_json(desk, "/cases/1/draft", {})
    assert started.status_code == 201
    proposals = started.get_json()["proposals"]
    assert started.get_json()["added"] == len(proposals) >= 5
    by_section: dict[str, list[dict[str, Any]]] = {}
    for p in proposals:
        by_section.setdefault(p["section"], []).append(p)
    assert {"B", "E", "F"} <= set(by_section)
    assert all(p["area"] for p in by_section["B"]), "needs sit under a broad area"
    # Twice proposes nothing new.
    again = _post_json(desk, "/cases/1/draft", {}).get_json()
    assert again["added"] == 0 and len(again["proposals"]) == len(proposals)

    first = by_section["F"][0]
    edited = first["text"] + " Reviewed each half term."
    accepted = _post_json(
        desk, f"/cases/1/draft/{first['id']}/accept", {"text": edited}
    ).get_json()
    assert accepted["proposal"]["status"] == "accepted"
    excerpt = dbs.scalars(
        select(Excerpt).where(Excerpt.ref == accepted["excerpt"]["ref"])
    ).one()
    assert excerpt.quote == first["recommendation"]
    second = by_section["F"][1]
    rejected = _post_json(desk, f"/cases/1/draft/{second['id']}/reject", {})
    assert rejected.get_json()["proposal"]["status"] == "rejected"
    twice = _post_json(desk, f"/cases/1/draft/{second['id']}/accept", {})
    assert twice.status_code == 400
    empty = _post_json(
        desk, f"/cases/1/draft/{by_section['E'][0]['id']}/accept", {"text": "  "}
    )
    assert empty.status_code == 400 and "Reject it" in empty.get_json()["error"]
    # Nothing entered the plan by itself: the editor puts accepted text in.
    assert "Reviewed each half term" not in reading.document_text(
        dbs, _doc(dbs, kind="plan_section", section="F").id
    )


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("*", "")).strip().lower()


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("example*")))
def test_every_recommendation_of_the_examples_is_proposed(
    runner: Any, dbs: Session, make: Any, example: str
) -> None:
    caseworker = make.person("caseworker@example.org", staff=True)
    result = runner.invoke(args=["import-case", str(EXAMPLES / example)])
    assert result.exit_code == 0, result.output
    case = dbs.scalars(select(Case)).one()
    for doc in dbs.scalars(select(Document).where(Document.kind == "advice")):
        if doc.status == "draft":
            doc.status = "submitted"
    dbs.commit()
    made = drafting.start_draft(dbs, case, caseworker).proposals
    membership = dbs.scalars(
        select(Membership).where(Membership.person_id == caseworker.id)
    ).one()
    scope = access.assistant_scope(dbs, membership, case)
    material = review.case_material(
        dbs, case, scope, date.today(), lambda d: f"/documents/{d.id}"
    )
    wanted = recommendations(material.advice)
    assert wanted, "the example has recommendations"
    proposed = [_plain(p.recommendation) for p in made]
    for rec in wanted:
        assert any(_plain(rec.text) in p for p in proposed), rec.text
    assert {"B", "F"} <= {p.section for p in made}


def test_the_draft_counts_for_nothing_until_advice_is_submitted(
    runner: Any, dbs: Session
) -> None:
    assert runner.invoke(args=["demo"]).exit_code == 0
    case = dbs.scalars(select(Case)).one()
    caseworker = dbs.scalars(
        select(Person).where(Person.email == "caseworker@example.org")
    ).one()
    # Only the social worker has sent advice, and it recommends nothing.
    assert drafting.start_draft(dbs, case, caseworker).proposals == []
