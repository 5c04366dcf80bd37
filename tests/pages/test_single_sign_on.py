"""Single sign-on against a real OpenID provider on loopback.

The provider is `oidc-provider-mock` (a test double for a council's or the
NHS's identity provider; see tests/oidc_provider.py): discovery, PKCE, the
authorization form, signed ID tokens and JWKS are all real HTTP.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.invitations import InvitationRequest, create_invitation
from portal.config import ConfigError, Settings, parse_oidc_providers
from portal.models import AuditEvent, Case, Membership, Person
from tests.browserlike import Browser
from tests.factories import Factory
from tests.oidc_provider import (  # noqa: F401 - fixtures
    COUNCIL,
    Provider,
    provider_fixture,
    provider_server_fixture,
    sso_settings,
)


@pytest.fixture
def settings(provider: Provider) -> Settings:
    return sso_settings(provider)


def _start(browser: Browser, **form: str) -> str:
    """Press "Sign in with ..." and return the provider URL we are sent to."""
    response = browser.post("/sign-in/sso/council", form)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def _sign_in(browser: Browser, provider: Provider, sub: str, **form: str) -> str:
    """The whole round trip; returns the callback path the provider sent back."""
    return provider.authorize(_start(browser, **form), sub)


def _refusals(dbs: Session) -> list[object]:
    events = dbs.scalars(
        select(AuditEvent).where(AuditEvent.action == "auth.sso_refused")
    )
    return [event.detail["reason"] for event in events]


def _is_signed_in(client: FlaskClient) -> bool:
    return client.get("/").status_code == 200


def _invite(dbs: Session, case: Case, email: str) -> str:
    caseworker = case.memberships[0].person
    request = InvitationRequest(
        email=email, role="professional", discipline="speech_language_therapist"
    )
    _, token = create_invitation(dbs, case, request, caseworker, date.today())
    dbs.commit()
    return token


def test_sign_in_page_has_a_button_for_each_provider(browser: Browser) -> None:
    page = browser.text("/sign-in")
    assert f"Sign in with {COUNCIL}" in page
    assert "Sign in with your email address" in page


def test_invited_member_joins_by_verified_email_then_signs_in_by_subject(
    browser: Browser, provider: Provider, make: Factory, dbs: Session
) -> None:
    case = make.case()
    token = _invite(dbs, case, "aisha.rahman@nhs.example")
    assert f"Join with {COUNCIL}" in browser.text(f"/invitations/{token}")
    provider.add_user(
        "aisha-1",
        email="aisha.rahman@nhs.example",
        email_verified=True,
        name="Aisha Rahman",
    )
    url = _start(browser, purpose="invitation", invitation=token)
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert query["nonce"] and query["state"]
    joined = browser.get(provider.authorize(url, "aisha-1"), follow_redirects=True)
    page = joined.get_data(as_text=True)
    assert "You have joined the case" in page and case.child_name in page
    person = dbs.scalar(
        select(Person).where(Person.email == "aisha.rahman@nhs.example")
    )
    assert person is not None and person.name == "Aisha Rahman"
    assert (person.oidc_issuer, person.oidc_subject) == (provider.issuer, "aisha-1")
    assert person.password_hash is None
    membership = dbs.scalar(select(Membership).where(Membership.person_id == person.id))
    assert membership is not None and membership.role == "professional"
    # Later sign-ins match the provider account, even after its email changes.
    browser.sign_out()
    assert not _is_signed_in(browser.client)
    provider.add_user("aisha-1", email="a.rahman@nhs.example", email_verified=False)
    back = browser.get(_sign_in(browser, provider, "aisha-1", next=f"/cases/{case.id}"))
    assert back.status_code == 302 and back.headers["Location"] == f"/cases/{case.id}"
    assert case.child_name in browser.text(f"/cases/{case.id}")
    assert _refusals(dbs) == []


def test_existing_account_is_linked_by_verified_email(
    browser: Browser, provider: Provider, make: Factory, dbs: Session
) -> None:
    person = make.person("dana@northshire.example")
    provider.add_user("dana-7", email="Dana@Northshire.example", email_verified=True)
    assert browser.get(_sign_in(browser, provider, "dana-7")).status_code == 302
    assert _is_signed_in(browser.client)
    dbs.refresh(person)
    assert person.oidc_subject == "dana-7"
    actions = set(dbs.scalars(select(AuditEvent.action)))
    assert {"person.sso_linked", "auth.signed_in"} <= actions


def test_id_token_from_another_issuer_is_refused(
    browser: Browser, provider: Provider, make: Factory, dbs: Session
) -> None:
    person = make.person("grace@northshire.example")
    provider.add_user("grace-2", email="grace@northshire.example", email_verified=True)
    provider.wrong_issuer = True
    page = browser.get(_sign_in(browser, provider, "grace-2"))
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "You have not been signed in" in html
    assert f"did not come from {COUNCIL}" in html
    assert not _is_signed_in(browser.client)
    dbs.refresh(person)
    assert person.oidc_subject is None
    assert _refusals(dbs) == ["wrong_issuer"]


def test_replayed_or_unknown_state_is_refused(
    app: object, browser: Browser, provider: Provider, make: Factory, dbs: Session
) -> None:
    make.person("tom@northshire.example")
    provider.add_user("tom-3", email="tom@northshire.example", email_verified=True)
    callback = _sign_in(browser, provider, "tom-3")
    assert browser.get(callback).status_code == 302
    assert _is_signed_in(browser.client)
    # The same answer again, in this browser and in another one.
    again = browser.get(callback)
    assert again.status_code == 400
    assert "has expired or has already been used" in again.get_data(as_text=True)
    other = Browser(browser.client.application.test_client())
    assert other.get(callback).status_code == 400
    assert not _is_signed_in(other.client)
    made_up = callback.replace("state=", "state=x")
    assert browser.get(made_up).status_code == 400
    assert _refusals(dbs) == ["replayed_state", "replayed_state", "unknown_state"]


def test_answer_started_in_another_browser_is_refused(
    browser: Browser, provider: Provider, make: Factory, dbs: Session
) -> None:
    """Login CSRF: an attacker's own round trip, finished in the victim's browser."""
    make.person("mallory@northshire.example")
    provider.add_user(
        "mallory", email="mallory@northshire.example", email_verified=True
    )
    callback = _sign_in(browser, provider, "mallory")
    victim = Browser(browser.client.application.test_client())
    assert victim.get(callback).status_code == 400
    assert not _is_signed_in(victim.client)
    assert _refusals(dbs) == ["other_browser"]


def test_unverified_email_is_refused(
    browser: Browser, provider: Provider, make: Factory, dbs: Session
) -> None:
    person = make.person("sofia@example.org")
    provider.add_user("sofia-4", email="sofia@example.org", email_verified=False)
    page = browser.get(_sign_in(browser, provider, "sofia-4"))
    assert page.status_code == 403
    assert f"{COUNCIL} has not confirmed your email address" in page.get_data(
        as_text=True
    )
    assert not _is_signed_in(browser.client)
    dbs.refresh(person)
    assert person.oidc_subject is None
    assert _refusals(dbs) == ["unverified_email"]


def test_nonce_mismatch_is_refused(
    browser: Browser, provider: Provider, make: Factory, dbs: Session
) -> None:
    make.person("ruth@northshire.example")
    provider.add_user("ruth-5", email="ruth@northshire.example", email_verified=True)
    url = urlsplit(_start(browser))
    query = parse_qs(url.query)
    query["nonce"] = ["a-different-nonce"]
    tampered = urlunsplit(url._replace(query=urlencode(query, doseq=True)))
    page = browser.get(provider.authorize(tampered, "ruth-5"))
    assert page.status_code == 400
    assert "The answer was not for this sign-in" in page.get_data(as_text=True)
    assert not _is_signed_in(browser.client)
    assert _refusals(dbs) == ["nonce_mismatch"]


def test_no_account_and_other_invitation_address_are_refused(
    browser: Browser, provider: Provider, make: Factory, dbs: Session
) -> None:
    provider.add_user("eve-6", email="eve@elsewhere.example", email_verified=True)
    page = browser.get(_sign_in(browser, provider, "eve-6"))
    assert page.status_code == 403
    assert "There is no account for eve@elsewhere.example" in page.get_data(
        as_text=True
    )
    token = _invite(dbs, make.case(), "invited@nhs.example")
    joined = browser.get(
        _sign_in(browser, provider, "eve-6", purpose="invitation", invitation=token)
    )
    assert joined.status_code == 403
    assert "sent to a different email address" in joined.get_data(as_text=True)
    assert (
        dbs.scalar(select(Person).where(Person.email == "eve@elsewhere.example"))
        is None
    )
    assert _refusals(dbs) == ["no_account", "other_email"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"OIDC_NHS_ISSUER": "https://idp.example"}, "OIDC_NHS_CLIENT_ID must be set"),
        (
            {"OIDC_NHS_ISSUER": "https://idp.example", "OIDC_NHS_CLIENT_ID": "x"},
            "OIDC_NHS_CLIENT_SECRET must be set",
        ),
        (
            {"OIDC_NHS_ISSUER": "idp.example"},
            "OIDC_NHS_ISSUER must be the provider's URL",
        ),
    ],
)
def test_provider_settings_are_checked(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_oidc_providers(env)


def test_providers_are_read_from_the_environment() -> None:
    providers = parse_oidc_providers(
        {
            "OIDC_NHS_MAIL_ISSUER": "https://login.nhs.example/",
            "OIDC_NHS_MAIL_CLIENT_ID": "id",
            "OIDC_NHS_MAIL_CLIENT_SECRET": "secret",
            "OIDC_COUNCIL_ISSUER": "https://id.council.example",
            "OIDC_COUNCIL_CLIENT_ID": "id2",
            "OIDC_COUNCIL_CLIENT_SECRET": "secret2",
            "OIDC_COUNCIL_DISPLAY_NAME": "Northshire staff",
        }
    )
    assert [(p.name, p.issuer, p.display_name) for p in providers] == [
        ("council", "https://id.council.example", "Northshire staff"),
        ("nhs-mail", "https://login.nhs.example/", "Nhs Mail"),
    ]
