"""Who gets which findings from the Check panel: every demo account x every
document of the demo case, before and after the draft plan is shared.

Each document first gets a marker no other document holds; each advice
document's marker is a recommendation the plan does not carry, so the checks
would quote it. Whatever the endpoint answers a person must hold no marker,
link or "title (author)" name of a document that person cannot open
(`GET /documents/<id>` answers 403 or 404). Advice-naming findings are the
caseworker's alone, and name advice by its title, author and page.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.assistant.base import ADVICE_KINDS
from portal.doclog import appending, reading
from portal.models import Case, Document, Person
from portal.services import cases, demo
from tests.browserlike import Browser

CASEWORKER = "caseworker@example.org"
EMAILS = [a.email for a in demo.ACCOUNTS]
NUMBERED = re.compile(r"\bdocument \d+", re.I)


@dataclass(frozen=True)
class Marked:
    """A document of the demo case and the strings that identify it."""

    doc_id: int
    title: str
    text: str
    marker: str
    name: str = ""  # "title (author)", for advice

    @property
    def link(self) -> str:
        """The document's page."""
        return f"/documents/{self.doc_id}"

    def identifiers(self) -> list[str]:
        """What must not reach a person who cannot open the document."""
        found = [self.marker, f'"{self.link}"']
        return found + ([self.name] if self.name else [])


def _marker_text(doc: Document, n: int) -> tuple[str, str]:
    if doc.kind == "plan_section":
        # An acronym nobody spells out, in a sentence too long to leave as it
        # is: it gets quoted (Section A and K acronyms are not jargon findings:
        # the family's own words and the list of advice).
        marker = f"ZQ{doc.section}X"
        return marker, (
            f"\n\nThe {marker} marker belongs here and it stays in this section for "
            "as long as the test needs it, so that every reader who opens the section "
            "can see it in the text.\n"
        )
    # A quantified recommendation sharing no words with the plan or other advice.
    marker = f"Zq{chr(ord('a') + n)}blorp"
    return marker, (
        f"\n\n**Recommendations.**\n\n1. {marker} kite practice, "
        "2 x 25 minutes weekly.\n"
    )


def _mark_every_document(dbs: Session) -> list[Marked]:
    case = dbs.scalar(select(Case))
    caseworker = dbs.scalar(select(Person).where(Person.email == CASEWORKER))
    marked = []
    for n, doc in enumerate(cases.case_documents(dbs, case)):
        marker, extra = _marker_text(doc, n)
        text = reading.document_text(dbs, doc.id) + extra
        appending.set_text(dbs, doc, text, caseworker)
        author = doc.owner.person.name if doc.owner else doc.source_author
        name = f"{doc.title} ({author})" if doc.kind == "advice" else ""
        marked.append(Marked(doc.id, doc.title, text, marker, name))
    dbs.commit()
    return marked


def _share(dbs: Session) -> None:
    case = dbs.scalar(select(Case))
    case.draft_shared = True
    dbs.commit()


def _answers(app: Flask, email: str, docs: list[Marked]) -> tuple[set[int], dict]:
    """(ids of the documents the person cannot open, {doc id: assistant answer})."""
    browser = Browser(app.test_client())
    browser.sign_in(email, demo.DEMO_PASSWORD)
    token = browser.csrf_token()
    closed: set[int] = set()
    answers = {}
    for doc in docs:
        opened = browser.get(doc.link).status_code
        assert opened in (200, 403, 404), (email, doc.title, opened)
        response = browser.client.post(
            f"/api/documents/{doc.doc_id}/assistant",
            json={"text": doc.text},
            headers={"X-CSRFToken": token},
        )
        if opened != 200:
            closed.add(doc.doc_id)
            assert response.status_code in (403, 404), (email, doc.title)
        else:
            assert response.status_code == 200, (email, doc.title)
        answers[doc.doc_id] = response.get_json()
    return closed, answers


def _findings(answers: dict) -> list[dict]:
    return [f for a in answers.values() for f in (a or {}).get("findings", [])]


def _assert_nothing_of_closed_documents(
    email: str, docs: list[Marked], closed: set[int], answers: dict
) -> None:
    said = json.dumps(answers)
    assert not NUMBERED.search(said), (email, NUMBERED.search(said))
    for doc in docs:
        if doc.doc_id in closed:
            for identifier in doc.identifiers():
                assert identifier not in said, (email, doc.title, identifier)


def _assert_caseworker_findings(docs: list[Marked], answers: dict) -> None:
    said = json.dumps(answers)
    for doc in docs:  # every marker is quoted somewhere: the test can fail
        if doc.title.startswith("Section K"):
            continue  # the portal writes K: the checks read its list, not typing
        assert doc.marker in said, doc.title
    ep = next(d for d in docs if d.title == "Psychological advice")
    assert ep.name == "Psychological advice (Dr Martin Hale)"
    missed = [
        f
        for f in _findings(answers)
        if f["kind"] == "advice_recommendation_not_in_plan"
        and ep.marker in f["message"]
    ]
    assert missed, "the caseworker still gets the recommendation not in the plan"
    assert ep.name in missed[0]["message"]
    assert missed[0]["link"] == {"href": ep.link, "text": ep.name}
    senco = next(d for d in docs if d.title == "Educational advice")
    overdue = [f for f in _findings(answers) if f["kind"] == "missing_advice"]
    assert any(
        senco.name in f["message"] and f["link"]["href"] == senco.link for f in overdue
    )


@pytest.mark.parametrize("shared", [False, True], ids=["unshared", "shared"])
def test_findings_hold_nothing_a_person_cannot_open(
    app: Flask, runner, dbs: Session, shared: bool
) -> None:
    runner.invoke(args=["demo"])
    docs = _mark_every_document(dbs)
    if shared:
        _share(dbs)
    for email in EMAILS:
        closed, answers = _answers(app, email, docs)
        _assert_nothing_of_closed_documents(email, docs, closed, answers)
        kinds = {f["kind"] for f in _findings(answers)}
        if email == CASEWORKER:
            assert not closed
            _assert_caseworker_findings(docs, answers)
        else:
            assert not kinds & ADVICE_KINDS, email
            # Nothing quoted from advice, not even the reader's own.
            said = json.dumps(answers)
            assert not [d for d in docs if d.name and d.marker in said], email
        if shared and email != CASEWORKER:
            # Findings about the section text still reach every reader.
            assert "unquantified_provision" in kinds, email
