"""Pending invitations: who sent them and when, cancel, resend (the old link
is refused with the reason), and no duplicate invitations."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Document, Invitation
from tests.browserlike import Browser
from tests.factories import Factory
from tests.pages.test_invitations import LINK, _invite


def _path(page: str) -> str:
    link = LINK.search(page).group(0)
    return link[link.index("/invitations/") :]


def test_pending_invitation_shows_sender_and_date(
    browser: Browser, make: Factory
) -> None:
    case = make.case()
    browser.sign_in(case.memberships[0].person.email)
    _invite(browser, case.id)
    page = browser.text(f"/cases/{case.id}")
    assert "ep@example.org" in page and "Invited by Casey Worker on" in page
    assert "Resend<span" in page and "Cancel<span" in page


def test_cancelled_link_is_refused_with_the_reason(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    case = make.case()
    browser.sign_in(case.memberships[0].person.email)
    path = _path(_invite(browser, case.id))
    invitation = dbs.scalar(select(Invitation))
    done = browser.post(
        f"/cases/{case.id}/invitations/{invitation.id}/cancel",
        {},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "The invitation to ep@example.org is cancelled" in done
    assert "Invited by" not in done
    browser.sign_out()
    refused = browser.get(path)
    assert refused.status_code == 410
    assert "The caseworker cancelled this invitation" in refused.get_data(as_text=True)
    # Inviting again is allowed and takes over the same advice document.
    browser.sign_in(case.memberships[0].person.email)
    _invite(browser, case.id)
    assert (
        dbs.scalar(
            select(func.count()).select_from(Document).where(Document.kind == "advice")
        )
        == 1
    )


def test_resend_makes_a_new_link_and_the_old_one_stops_working(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    case = make.case()
    browser.sign_in(case.memberships[0].person.email)
    old = _path(_invite(browser, case.id))
    invitation = dbs.scalar(select(Invitation))
    page = browser.post(
        f"/cases/{case.id}/invitations/{invitation.id}/resend", {}
    ).get_data(as_text=True)
    new = _path(page)
    assert new != old
    browser.sign_out()
    refused = browser.get(old)
    assert refused.status_code == 410
    assert "replaced by a newer invitation" in refused.get_data(as_text=True)
    assert "Create your account" in browser.text(new)
    form = {
        "name": "Dr Ed",
        "password": "a long enough one",
        "confirm": "a long enough one",
    }
    assert browser.post(new, form).status_code == 302
    assert "You are asked to write: Psychological advice" in browser.text("/")


def test_duplicate_invitations_are_refused(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    case = make.case()
    make.member(case, "parent", make.person("mum@example.org", name="Sofia Marchetti"))
    browser.sign_in(case.memberships[0].person.email)
    _invite(browser, case.id)
    again = _invite(browser, case.id, email="EP@example.org")
    assert "There is a problem" in again
    assert (
        "ep@example.org was already invited on" in again and "by Casey Worker" in again
    )
    member = _invite(browser, case.id, email="mum@example.org", role="parent")
    assert (
        "Sofia Marchetti (mum@example.org) is already on this case as parent or carer"
        in member
    )
    assert dbs.scalar(select(func.count()).select_from(Invitation)) == 1


def test_an_expired_invitation_gives_way_to_a_new_one(
    browser: Browser, make: Factory, dbs: Session
) -> None:
    from datetime import timedelta

    case = make.case()
    browser.sign_in(case.memberships[0].person.email)
    _invite(browser, case.id)
    old = dbs.scalar(select(Invitation))
    old.expires_at -= timedelta(days=15)
    dbs.commit()
    assert "link expired" in browser.text(f"/cases/{case.id}")
    assert "There is a problem" not in _invite(browser, case.id)
    page = browser.text(f"/cases/{case.id}")
    assert page.count("Resend<span") == 1 and "link expired" not in page
    advice = select(func.count()).select_from(Document).where(Document.kind == "advice")
    assert dbs.scalar(advice) == 1
