"""Findings of the security review ("Council-grade security", item 1): input
that gave 500s, and pages that showed or kept more than they should."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from portal.config import Settings
from tests.browserlike import Browser
from tests.conftest import make_settings
from tests.factories import Factory
from tests.pages.test_invitations import _invitation_path


@pytest.mark.parametrize(
    "target",
    [
        "/cases\r\nSet-Cookie: x=1",
        "/cases\nX",
        "/\\evil.example",
        "https://evil.example/",
        "//evil.example",
        "/cases\x00",
    ],
)
def test_sign_in_never_follows_a_strange_next(
    browser: Browser, make: Factory, target: str
) -> None:
    person = make.person()
    response = browser.client.post(
        "/sign-in",
        query_string={"next": target},
        data={
            "email": person.email,
            "password": "correct horse battery",
            "csrf_token": browser.csrf_token(),
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] in ("/", "http://portal.test/")


@pytest.mark.parametrize(
    "path",
    [
        "/documents/99999999999999999999",
        "/cases/99999999999999999999",
        "/api/documents/99999999999999999999",
        "/documents/2147483648",
    ],
)
def test_huge_ids_are_not_found(browser: Browser, make: Factory, path: str) -> None:
    person = make.person()
    browser.sign_in(person.email)
    assert browser.get(path).status_code == 404


def test_the_case_api_lists_only_documents_the_caller_may_open(
    runner, client: FlaskClient, make: Factory
) -> None:
    case = make.case()
    ep = make.member(case, "professional", discipline="educational_psychologist")
    other = make.member(case, "professional", discipline="speech_language_therapist")
    mine = make.advice(case, ep, "educational_psychologist", text="Mine.")
    theirs = make.advice(case, other, "speech_language_therapist", text="Theirs.")
    token = runner.invoke(args=["token", "create", ep.person.email]).output.strip()
    body = client.get(
        f"/api/cases/{case.id}", headers={"Authorization": f"Bearer {token}"}
    ).get_json()
    ids = {d["id"] for d in body["documents"]}
    assert mine.id in ids and theirs.id not in ids
    assert all(d["access"] != "none" for d in body["documents"])


def test_the_invitation_page_is_not_cached_and_hides_the_email_from_others(
    browser: Browser, make: Factory
) -> None:
    case = make.case()
    browser.sign_in(case.memberships[0].person.email)
    path = _invitation_path(browser, case.id)
    browser.sign_out()
    page = browser.get(path)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    stranger = make.person()
    browser.sign_in(stranger.email)
    refused = browser.get(path)
    assert refused.status_code == 403
    assert "ep@example.org" not in refused.get_data(as_text=True)


@pytest.fixture
def settings() -> Settings:
    return make_settings(PUBLIC_URL="https://portal.example")


def test_hsts_is_sent_when_the_portal_is_served_over_https(
    client: FlaskClient,
) -> None:
    response = client.get("/sign-in")
    assert (
        response.headers["Strict-Transport-Security"]
        == "max-age=31536000; includeSubDomains"
    )
