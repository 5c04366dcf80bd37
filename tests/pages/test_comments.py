"""Comments and proposed changes on the demo case, for every demo account:
who may comment, reply, resolve, propose and decide, what each sees, and
what the audit trail keeps."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from portal.models import AuditEvent, Comment, Document, Notification, Person
from portal.services.demo import DEMO_PASSWORD
from tests.browserlike import Browser

EMAILS = {
    "caseworker": "caseworker@example.org",
    "parent": "parent@example.org",
    "young_person": "young.person@example.org",
    "senco": "senco@example.org",
    "psychologist": "psychologist@example.org",
    "therapist": "therapist@example.org",
    "social_worker": "social.worker@example.org",
}
PROFESSIONALS = ("senco", "psychologist", "therapist", "social_worker")
# A base64 Yjs relative position, as the browser sends it (opaque to the server).
START, END = "AQKFq7jNAQEA", "AQKFq7jNARMA"


class Api:
    """A signed-in browser calling the JSON API with its CSRF token."""

    def __init__(self, app: Flask, who: str) -> None:
        self.browser = Browser(app.test_client())
        assert self.browser.sign_in(EMAILS[who], DEMO_PASSWORD).status_code == 302
        self.token = self.browser.csrf_token()

    def get(self, url: str) -> TestResponse:
        return self.browser.get(url)

    def post(self, url: str, body: dict[str, Any]) -> TestResponse:
        return self.browser.client.post(
            url, json=body, headers={"X-CSRFToken": self.token}
        )

    def comment(self, doc: int, body: str = "Please say how often.", **kw: Any) -> Any:
        return self.post(f"/api/documents/{doc}/comments", {"body": body, **kw})


@pytest.fixture
def demo(runner: Any) -> None:
    assert runner.invoke(args=["demo"]).exit_code == 0


class People(dict[str, Api]):
    """Each demo account, signed in the first time a test asks for them."""

    def __init__(self, app: Flask) -> None:
        super().__init__()
        self.app = app

    def __missing__(self, who: str) -> Api:
        self[who] = Api(self.app, who)
        return self[who]

    def everyone(self) -> list[tuple[str, Api]]:
        return [(who, self[who]) for who in EMAILS]


@pytest.fixture
def people(app: Flask, demo: None) -> People:
    return People(app)


def _section(dbs: Session, key: str) -> int:
    doc = dbs.scalars(
        select(Document).where(Document.kind == "plan_section", Document.section == key)
    ).one()
    return doc.id


def _advice(dbs: Session, discipline: str) -> int:
    doc = dbs.scalars(
        select(Document).where(
            Document.kind == "advice", Document.discipline == discipline
        )
    ).one()
    return doc.id


def _share(people: People) -> None:
    answer = people["caseworker"].browser.post("/cases/1/share", {"shared": "yes"})
    assert answer.status_code == 302


def _actions(dbs: Session) -> list[str]:
    """The comment and proposal events of the audit trail, in order."""
    dbs.expire_all()
    actions = dbs.scalars(select(AuditEvent.action).order_by(AuditEvent.id))
    return [a for a in actions if a.startswith(("comment.", "proposal."))]


def test_before_sharing_only_section_a_writers_comment_on_the_plan(
    people: People, dbs: Session
) -> None:
    section_a, section_b = _section(dbs, "A"), _section(dbs, "B")
    for who in ("caseworker", "parent", "young_person"):
        assert people[who].comment(section_a).status_code == 201, who
    for who in PROFESSIONALS:
        assert people[who].comment(section_a).status_code == 403, who
    assert people["caseworker"].comment(section_b).status_code == 201
    for who in ("parent", "young_person", *PROFESSIONALS):
        assert people[who].comment(section_b).status_code == 403, who
        assert (
            people[who].get(f"/api/documents/{section_b}/comments").status_code == 403
        )


def test_once_shared_every_reader_comments_and_sees_every_comment_on_the_section(
    people: People, dbs: Session
) -> None:
    section_f = _section(dbs, "F")
    _share(people)
    for who, api in people.everyone():
        answer = api.comment(section_f, f"A note from the {who}.")
        assert answer.status_code == 201, (who, answer.get_json())
    for who, api in people.everyone():
        listed = api.get(f"/api/documents/{section_f}/comments").get_json()
        bodies = [c["body"] for c in listed["comments"]]
        assert bodies == [f"A note from the {w}." for w in EMAILS], who
        assert listed["can_comment"] is True
        assert listed["can_propose"] is (who != "caseworker")
        assert listed["can_decide"] is (who == "caseworker")
    # The page says so, and shows the comment without JavaScript.
    page = people["therapist"].browser.text(f"/documents/{section_f}")
    assert "You can read this and comment on it" in page
    assert "A note from the parent." in page
    assert 'id="comment-form"' in page


def test_nobody_comments_on_advice_they_cannot_read(
    people: People, dbs: Session
) -> None:
    advice = _advice(dbs, "educational_psychologist")
    # The caseworker comments on the psychologist's unsubmitted advice, and
    # the psychologist (its author) reads and answers it.
    first = people["caseworker"].comment(advice, "Add the test scores.").get_json()
    reply_url = f"/api/documents/{advice}/comments/{first['id']}/replies"
    assert people["psychologist"].post(reply_url, {"body": "Done."}).status_code == 201
    for who in ("parent", "young_person", "senco", "therapist", "social_worker"):
        assert people[who].comment(advice).status_code == 403, who
        assert people[who].post(reply_url, {"body": "Me too"}).status_code == 403, who
        status_url = f"/api/documents/{advice}/comments/{first['id']}/status"
        answer = people[who].post(status_url, {"status": "resolved"})
        assert answer.status_code == 403, who
        listing = people[who].get(f"/api/documents/{advice}/comments")
        assert listing.status_code == 403, who
        panel = people[who].get(f"/documents/{advice}/comments")
        assert panel.status_code == 403, who
        form = people[who].browser.post(
            f"/documents/{advice}/comments", {"body": "Through the form"}
        )
        assert form.status_code == 403, who
    dbs.expire_all()
    bodies = list(dbs.scalars(select(Comment.body).order_by(Comment.id)))
    assert bodies == ["Add the test scores.", "Done."]


def test_a_comment_id_from_another_document_is_not_found(
    people: People, dbs: Session
) -> None:
    advice = _advice(dbs, "educational_psychologist")
    section_a = _section(dbs, "A")
    secret = people["caseworker"].comment(advice, "About the scores").get_json()
    # The parent may comment on Section A, but not reach the advice's thread
    # through it.
    url = f"/api/documents/{section_a}/comments/{secret['id']}/replies"
    assert people["parent"].post(url, {"body": "Hello"}).status_code == 404
    url = f"/api/documents/{section_a}/comments/{secret['id']}/status"
    assert people["parent"].post(url, {"status": "resolved"}).status_code == 404


def test_replies_thread_and_resolving_is_for_the_author_and_the_documents_editors(
    people: People, dbs: Session
) -> None:
    section_b = _section(dbs, "B")
    _share(people)
    started = (
        people["senco"]
        .comment(
            section_b,
            "Is this the right reading age?",
            quote="reads at a 6-year-old level",
            anchor={"start": START, "end": END},
        )
        .get_json()
    )
    assert started["quote"] == "reads at a 6-year-old level"
    assert started["anchor"] == {"start": START, "end": END}
    base = f"/api/documents/{section_b}/comments/{started['id']}"
    people["caseworker"].post(base + "/replies", {"body": "From the EP report."})
    thread = people["parent"].post(base + "/replies", {"body": "Yes."}).get_json()
    assert [(r["author"], r["body"]) for r in thread["replies"]] == [
        ("Dana Whitlock", "From the EP report."),
        ("Sofia Marchetti", "Yes."),
    ]
    # The parent only reads Section B: not their comment, not theirs to resolve.
    assert thread["can_resolve"] is False
    assert (
        people["parent"].post(base + "/status", {"status": "resolved"}).status_code
        == 403
    )
    # The author resolves it; the caseworker (who edits B) reopens it.
    done = people["senco"].post(base + "/status", {"status": "resolved"}).get_json()
    assert done["status"] == "resolved"
    again = people["caseworker"].post(base + "/status", {"status": "open"}).get_json()
    assert again["status"] == "open"
    assert _actions(dbs) == [
        "comment.added",
        "comment.replied",
        "comment.replied",
        "comment.resolved",
        "comment.reopened",
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"body": "  "}, "Your comment is required."),
        ({"body": "x" * 5001}, "Your comment is too long"),
        ({"body": "Hi", "quote": "a", "anchor": {"start": START}}, "both ends"),
        (
            {"body": "Hi", "quote": "a", "anchor": {"start": "<x>", "end": END}},
            "not one this portal made",
        ),
        ({"body": "Hi", "anchor": {"start": START, "end": END}}, "Quote the passage"),
    ],
)
def test_a_comment_that_cannot_be_kept_is_refused_with_a_reason(
    people: People, dbs: Session, body: dict[str, Any], message: str
) -> None:
    answer = people["parent"].post(
        f"/api/documents/{_section(dbs, 'A')}/comments", body
    )
    assert answer.status_code == 400
    assert message in answer.get_json()["error"]


def test_a_browser_needs_the_csrf_token_for_the_api_and_the_forms(
    people: People, dbs: Session
) -> None:
    answer = people["parent"].browser.client.post(
        f"/api/documents/{_section(dbs, 'A')}/comments", json={"body": "No token"}
    )
    assert answer.status_code == 400
    form = people["parent"].browser.client.post(
        f"/documents/{_section(dbs, 'A')}/comments", data={"body": "No token"}
    )
    assert form.status_code == 400
    dbs.expire_all()
    assert dbs.scalars(select(Comment)).all() == []


def test_the_forms_work_without_javascript(people: People, dbs: Session) -> None:
    section_a = _section(dbs, "A")
    parent = people["parent"].browser
    added = parent.post(
        f"/documents/{section_a}/comments",
        {"body": "Leo likes Lego too.", "quote": ""},
        follow_redirects=True,
    )
    page = added.get_data(as_text=True)
    assert "Your comment has been added." in page
    assert "Leo likes Lego too." in page and "On the whole document" in page
    row = dbs.scalars(select(Comment)).one()
    parent.post(
        f"/documents/{section_a}/comments/{row.id}/replies", {"body": "And trains."}
    )
    resolved = parent.post(
        f"/documents/{section_a}/comments/{row.id}/status",
        {"status": "resolved"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "And trains." in resolved
    assert "The comment is resolved." in resolved and ">Reopen<" in resolved


def test_a_quote_no_longer_in_the_text_is_marked_on_the_page(
    people: People, dbs: Session
) -> None:
    section_a = _section(dbs, "A")
    people["parent"].comment(section_a, "Not this", quote="words nobody wrote")
    page = people["parent"].browser.text(f"/documents/{section_a}")
    assert "The text it was about has been changed or deleted." in page


def _propose(api: Api, doc: int, **kw: Any) -> TestResponse:
    body = {
        "quote": "support with reading",
        "anchor": {"start": START, "end": END},
        "replacement": "20 minutes of 1:1 reading support each day",
        "reason": "Say how much.",
        **kw,
    }
    return api.post(f"/api/documents/{doc}/proposals", body)


def test_who_may_propose_a_change_and_who_decides(people: People, dbs: Session) -> None:
    section_f, section_a = _section(dbs, "F"), _section(dbs, "A")
    advice = _advice(dbs, "educational_psychologist")
    # Before sharing only Section A's family writers reach the plan.
    for who in PROFESSIONALS:
        assert _propose(people[who], section_f).status_code == 403, who
    assert _propose(people["parent"], section_a).status_code == 201
    # Advice takes comments, not proposals; the caseworker edits, not proposes.
    assert _propose(people["psychologist"], advice).status_code == 403
    _share(people)
    assert _propose(people["caseworker"], section_f).status_code == 403
    made = {
        who: _propose(people[who], section_f, reason=f"From the {who}").get_json()
        for who in ("parent", "young_person", *PROFESSIONALS)
    }
    for who, proposal in made.items():
        assert proposal["status"] == "open" and proposal["kind"] == "proposal", who
    url = f"/api/documents/{section_f}/proposals/{made['senco']['id']}/decision"
    for who in ("parent", "young_person", *PROFESSIONALS):
        assert people[who].post(url, {"decision": "accepted"}).status_code == 403
    answer = people["caseworker"].post(url, {"decision": "accepted"})
    assert answer.get_json()["status"] == "accepted"
    again = people["caseworker"].post(url, {"decision": "declined"})
    assert again.status_code == 400
    assert "already accepted" in again.get_json()["error"]


def test_a_declined_proposal_tells_its_author_why(people: People, dbs: Session) -> None:
    section_f = _section(dbs, "F")
    _share(people)
    proposal = _propose(people["therapist"], section_f).get_json()
    # The caseworker sees it as a tracked change: old struck through, new inserted.
    page = people["caseworker"].browser.text(f"/documents/{section_f}")
    assert '<del class="app-comment__quote">support with reading</del>' in page
    assert "20 minutes of 1:1 reading support each day</ins>" in page
    declined = people["caseworker"].browser.post(
        f"/documents/{section_f}/proposals/{proposal['id']}/decision",
        {"decision": "declined", "reply": "Section F already says this in F2."},
        follow_redirects=True,
    )
    assert "The proposed change is declined." in declined.get_data(as_text=True)
    seen = people["therapist"].browser.text(f"/documents/{section_f}")
    assert "Change declined" in seen
    assert "Declined by Dana Whitlock" in seen
    assert "Section F already says this in F2." in seen
    listed = people["therapist"].get(f"/api/documents/{section_f}/comments").get_json()
    (thread,) = listed["comments"]
    assert thread["status"] == "declined" and thread["decided_by"] == "Dana Whitlock"
    assert _actions(dbs) == [
        "proposal.made",
        "comment.replied",
        "proposal.declined",
    ]


def test_the_assistants_rewrites_are_kept_as_proposals_by_the_assistant(
    people: People, dbs: Session
) -> None:
    section_a = _section(dbs, "A")
    answer = people["parent"].post(
        f"/api/documents/{section_a}/suggestions/decision",
        {
            "decision": "accepted",
            "rule": "plain-words",
            "original": "utilise",
            "replacement": "use",
        },
    )
    assert answer.status_code == 201
    row = dbs.scalars(select(Comment)).one()
    assert (row.kind, row.source, row.author_id) == ("proposal", "assistant", None)
    assert (row.quote, row.replacement, row.status) == ("utilise", "use", "accepted")
    # A decided rewrite is a record, not a thread to work through.
    listed = people["parent"].get(f"/api/documents/{section_a}/comments").get_json()
    assert listed["comments"] == []


def test_tokens_use_the_api_without_csrf(
    app: Flask, people: People, dbs: Session, runner: Any
) -> None:
    made = runner.invoke(args=["token", "create", "parent@example.org"])
    token = made.output.strip().split()[-1]
    answer = app.test_client().post(
        f"/api/documents/{_section(dbs, 'A')}/comments",
        json={"body": "From my script"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["author"] == "Sofia Marchetti"


def test_the_caseworker_is_told_of_comments_and_proposals_but_not_of_their_own(
    people: People, dbs: Session
) -> None:
    section_a = _section(dbs, "A")
    assert people["caseworker"].comment(section_a, "My own note.").status_code == 201
    assert (
        people["parent"].comment(section_a, "Leo hates loud rooms.").status_code == 201
    )
    assert _propose(people["parent"], section_a).status_code == 201
    dbs.expire_all()
    caseworker = dbs.scalars(
        select(Person).where(Person.email == EMAILS["caseworker"])
    ).one()
    told = dbs.scalars(
        select(Notification)
        .where(
            Notification.person_id == caseworker.id,
            Notification.kind.in_(["comment_added", "change_proposed"]),
        )
        .order_by(Notification.id)
    ).all()
    assert [n.kind for n in told] == ["comment_added", "change_proposed"]
    assert all(n.link == f"/documents/{section_a}" for n in told)
    assert "needs your reply" in told[0].message
    # The email names the case by its reference, never the comment or the child.
    assert "Leo hates" not in told[0].email_body
    assert "Leo" not in told[0].email_subject
    home = people["caseworker"].browser.text("/")
    assert "left a comment on" in home and "proposed a change to" in home
