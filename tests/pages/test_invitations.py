"""Inviting people: the link, the email, accepting, and links that cannot be used."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, Case, Document, Invitation, Membership
from tests.browserlike import Browser
from tests.factories import Factory

LINK = re.compile(r"https?://[^\s<\"]+/invitations/[A-Za-z0-9_\-]+")


def _invite(browser: Browser, case_id: int, **fields: str) -> str:
    data = {
        "email": "ep@example.org",
        "role": "professional",
        "discipline": "educational_psychologist",
        "organisation": "EP Service",
        "job_title": "Educational psychologist",
        **fields,
    }
    return browser.post(f"/cases/{case_id}/invite", data).get_data(as_text=True)


def _invitation_path(browser: Browser, case_id: int) -> str:
    """Invite the psychologist and return the path of the link the page shows."""
    link = LINK.search(_invite(browser, case_id)).group(0)
    return link[link.index("/invitations/") :]


def _invited_by_a_caseworker(browser: Browser, make: Factory) -> tuple[Case, str]:
    """A new case whose caseworker invited the psychologist, then signed out."""
    case = make.case()
    browser.sign_in(case.memberships[0].person.email)
    path = _invitation_path(browser, case.id)
    browser.sign_out()
    return case, path


def test_caseworker_sees_the_link_and_the_advice_is_created(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    case = make.case()
    browser.sign_in(case.memberships[0].person.email)
    page = _invite(browser, case.id)
    assert "send this link to ep@example.org yourself" in page
    assert LINK.search(page)
    doc = dbs.scalar(
        select(Document).where(Document.case_id == case.id, Document.kind == "advice")
    )
    assert doc is not None and doc.title == "Psychological advice"
    assert doc.due_date == date.today() + timedelta(weeks=6)
    invitation = dbs.scalar(select(Invitation))
    assert invitation is not None
    token = LINK.search(page).group(0).rsplit("/", 1)[1]
    assert token not in invitation.token_hash  # only the hash is stored
    assert invitation.expires_at.date() == date.today() + timedelta(days=14)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": ""}, "Enter an email address."),
        ({"email": "not an email"}, "Enter an email address in the correct format"),
        ({"role": ""}, "Select the person&#39;s role on this case."),
        ({"role": "caseworker"}, "Select the person&#39;s role on this case."),
        ({"discipline": "wizard"}, "Select the professional&#39;s discipline."),
        ({"organisation": ""}, "Enter their organisation."),
    ],
)
def test_invitation_form_errors(
    browser: Browser, make: Factory, fields: dict[str, str], message: str, dbs: Session
) -> None:
    case = make.case()
    browser.sign_in(case.memberships[0].person.email)
    page = _invite(browser, case.id, **fields)
    assert "govuk-error-summary" in page and message in page
    assert dbs.scalar(select(Invitation)) is None


def test_new_person_accepts_and_writes_their_advice(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    case, path = _invited_by_a_caseworker(browser, make)
    assert "Create your account" in browser.text(path)
    short = browser.post(
        path, {"name": "Dr Ed Psych", "password": "short", "confirm": "short"}
    )
    assert "Password must be at least 10 characters long." in short.get_data(
        as_text=True
    )
    done = browser.post(
        path,
        {
            "name": "Dr Ed Psych",
            "password": "a long enough one",
            "confirm": "a long enough one",
        },
    )
    assert done.status_code == 302
    home = browser.text("/")
    assert "You are asked to write: Psychological advice" in home
    membership = dbs.scalar(select(Membership).where(Membership.role == "professional"))
    assert (
        membership is not None and membership.discipline == "educational_psychologist"
    )
    assert membership.job_title == "Educational psychologist"
    doc = dbs.scalar(select(Document).where(Document.kind == "advice"))
    assert doc is not None and doc.owner_membership_id == membership.id
    actions = list(dbs.scalars(select(AuditEvent.action)))
    assert "invitation.sent" in actions and "invitation.accepted" in actions
    # The same link cannot be used twice.
    browser.sign_out()
    again = browser.get(path)
    assert again.status_code == 410
    assert "already been used" in again.get_data(as_text=True)


def test_existing_person_signs_in_then_joins(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    make.person("ep@example.org")
    case, path = _invited_by_a_caseworker(browser, make)
    first = browser.get(path)
    assert first.status_code == 302 and "/sign-in" in first.location
    browser.post(
        f"/sign-in?next={path}",
        {"email": "ep@example.org", "password": "correct horse battery"},
    )
    assert browser.post(path, {}).status_code == 302
    assert dbs.scalar(select(Membership).where(Membership.role == "professional"))


def test_someone_signed_in_as_another_person_cannot_use_it(
    browser: Browser, make: Factory
) -> None:
    other = make.person("other@example.org")
    case, path = _invited_by_a_caseworker(browser, make)
    browser.sign_in(other.email)
    response = browser.post(path, {})
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "was sent to someone else" in page and "ep@example.org" not in page


def test_expired_and_forged_links_change_nothing(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    case, path = _invited_by_a_caseworker(browser, make)
    forged = browser.get(path[:-3] + "abc")
    assert forged.status_code == 410 and "not valid" in forged.get_data(as_text=True)
    invitation = dbs.scalar(select(Invitation))
    assert invitation is not None
    invitation.expires_at = invitation.expires_at - timedelta(days=15)
    dbs.commit()
    expired = browser.post(
        path,
        {"name": "X", "password": "a long enough one", "confirm": "a long enough one"},
    )
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)
    assert (
        dbs.scalar(select(Membership).where(Membership.role == "professional")) is None
    )
