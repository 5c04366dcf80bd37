"""Rate limits (security review): per person and per address on sign-in,
invitations, the writing assistant, suggestion decisions and downloads. A refusal is a
clear 429 with Retry-After; other people and addresses are not slowed."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask.testing import FlaskClient

from portal.config import ConfigError, Settings
from tests.browserlike import Browser
from tests.conftest import make_settings
from tests.factories import Factory

ELSEWHERE = {"REMOTE_ADDR": "192.0.2.7"}


@pytest.fixture
def settings() -> Settings:
    return make_settings(
        RATE_LIMIT_SIGN_IN_PER_ADDRESS="3 per minute",
        RATE_LIMIT_INVITE_PER_PERSON="2 per hour",
        RATE_LIMIT_INVITE_PER_ADDRESS="100 per hour",
        RATE_LIMIT_ASSISTANT_PER_PERSON="2 per minute",
        RATE_LIMIT_ASSISTANT_PER_ADDRESS="4 per minute",
        RATE_LIMIT_DECISION_PER_PERSON="2 per minute",
        RATE_LIMIT_DECISION_PER_ADDRESS="100 per minute",
        RATE_LIMIT_DOWNLOAD_PER_PERSON="2 per minute",
    )


def _assert_refused(response: Any, *, json: bool) -> None:
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 3601
    if json:
        assert "Too many requests" in response.get_json()["error"]
    else:
        page = response.get_data(as_text=True)
        assert "govuk-heading-l" in page and "try again" in page


def test_sign_in_posts_are_limited_per_address(browser: Browser, make: Factory) -> None:
    person = make.person()
    for _ in range(3):
        assert browser.sign_in(person.email).status_code == 302
    _assert_refused(browser.sign_in(person.email), json=False)
    elsewhere = browser.post(
        "/sign-in",
        {"email": person.email, "password": "correct horse battery"},
        environ_base=ELSEWHERE,
    )
    assert elsewhere.status_code == 302


def _invite(browser: Browser, case_id: int, email: str) -> Any:
    return browser.post(f"/cases/{case_id}/invite", {"email": email, "role": "parent"})


def test_invitations_are_limited_per_person(browser: Browser, make: Factory) -> None:
    case, other_case = make.case(), make.case()
    browser.sign_in(case.memberships[0].person.email)
    for n in range(2):
        assert _invite(browser, case.id, f"p{n}@example.org").status_code == 200
    _assert_refused(_invite(browser, case.id, "p3@example.org"), json=False)
    browser.sign_out()
    browser.sign_in(other_case.memberships[0].person.email)
    assert _invite(browser, other_case.id, "q@example.org").status_code == 200


def _check(client: FlaskClient, doc_id: int, headers: dict[str, str]) -> Any:
    return client.post(
        f"/api/documents/{doc_id}/assistant", json={"text": "Hi."}, headers=headers
    )


def test_the_assistant_is_limited_per_person_whether_by_token_or_cookie(
    runner: Any, browser: Browser, make: Factory
) -> None:
    case = make.case()
    section = make.section(case, "F")
    caseworker = case.memberships[0].person
    token = runner.invoke(args=["token", "create", caseworker.email]).output.strip()
    bearer = {"Authorization": f"Bearer {token}"}
    for _ in range(2):
        assert _check(browser.client, section.id, bearer).status_code == 200
    browser.sign_in(caseworker.email)
    cookie = {"X-CSRFToken": browser.csrf_token()}
    _assert_refused(_check(browser.client, section.id, cookie), json=True)
    # Someone else on the same case, at the same address, is not slowed.
    other = make.member(case, "parent")
    browser.sign_out()
    browser.sign_in(other.person.email)
    a = make.section(case, "A")
    cookie = {"X-CSRFToken": browser.csrf_token()}
    assert _check(browser.client, a.id, cookie).status_code == 200


def test_the_assistant_is_limited_per_address(
    app: Any, runner: Any, make: Factory
) -> None:
    case = make.case()
    section = make.section(case, "F")
    people = [case.memberships[0].person] + [
        make.member(case, "caseworker").person for _ in range(2)
    ]
    tokens = [
        runner.invoke(args=["token", "create", p.email]).output.strip() for p in people
    ]
    client = app.test_client()
    statuses = [
        _check(client, section.id, {"Authorization": f"Bearer {t}"}).status_code
        for t in (tokens[0], tokens[0], tokens[1], tokens[1])
    ]
    assert statuses == [200] * 4
    refused = _check(client, section.id, {"Authorization": f"Bearer {tokens[2]}"})
    _assert_refused(refused, json=True)
    elsewhere = client.post(
        f"/api/documents/{section.id}/assistant",
        json={"text": "Hi."},
        headers={"Authorization": f"Bearer {tokens[2]}"},
        environ_base=ELSEWHERE,
    )
    assert elsewhere.status_code == 200


def test_suggestion_decisions_are_limited_per_person(
    browser: Browser, make: Factory
) -> None:
    case = make.case()
    parent, other = make.member(case, "parent"), make.member(case, "parent")
    section_a = make.section(case, "A")
    url = f"/api/documents/{section_a.id}/suggestions/decision"
    decision = {"decision": "rejected", "rule": "plain_words", "original": "x"}
    browser.sign_in(parent.person.email)
    headers = {"X-CSRFToken": browser.csrf_token()}
    for _ in range(2):
        assert browser.client.post(url, json=decision, headers=headers).status_code
    refused = browser.client.post(url, json=decision, headers=headers)
    _assert_refused(refused, json=True)
    browser.sign_out()
    browser.sign_in(other.person.email)
    headers = {"X-CSRFToken": browser.csrf_token()}
    assert browser.client.post(url, json=decision, headers=headers).status_code == 201


def test_comments_are_limited_per_person_by_api_and_by_form(
    browser: Browser, make: Factory
) -> None:
    case = make.case()
    parent = make.member(case, "parent")
    section_a = make.section(case, "A")
    browser.sign_in(parent.person.email)
    headers = {"X-CSRFToken": browser.csrf_token()}
    url = f"/api/documents/{section_a.id}/comments"
    for _ in range(2):
        made = browser.client.post(url, json={"body": "Hi"}, headers=headers)
        assert made.status_code == 201
    _assert_refused(
        browser.client.post(url, json={"body": "Hi"}, headers=headers), json=True
    )
    form = f"/documents/{section_a.id}/comments"
    for _ in range(2):
        assert browser.post(form, {"body": "Hi"}).status_code == 302
    _assert_refused(browser.post(form, {"body": "Hi"}), json=False)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("lots", "RATE_LIMIT_ASSISTANT_PER_PERSON must be a rate like"),
        ("", "RATE_LIMIT_ASSISTANT_PER_PERSON must be a rate like"),
    ],
)
def test_a_malformed_limit_stops_startup_with_its_name(
    value: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        make_settings(RATE_LIMIT_ASSISTANT_PER_PERSON=value)


def test_limits_have_safe_defaults() -> None:
    limits = Settings.from_env({}).rate_limits
    assert limits.sign_in_per_address == "30 per minute;300 per hour"
    assert limits.assistant_per_person == "60 per minute"


@pytest.mark.redis
def test_counts_are_kept_in_redis_when_it_is_set(database_uri: str) -> None:
    from portal import create_app
    from tests import services

    url = services.redis_url()
    limits = {"RATE_LIMIT_SIGN_IN_PER_ADDRESS": "2 per minute", "REDIS_URL": url}
    prefix = f"test-{uuid.uuid4().hex}"
    apps = [
        create_app(
            {
                "TESTING": True,
                "WTF_CSRF_ENABLED": False,
                "SQLALCHEMY_DATABASE_URI": database_uri,
                "SETTINGS": make_settings(**limits),
                "RATELIMIT_KEY_PREFIX": prefix,
            }
        )
        for _ in range(2)
    ]
    form = {"email": "nobody@example.org", "password": "wrong password"}
    # Two processes of one portal share the count through Redis.
    statuses = [
        apps[n % 2].test_client().post("/sign-in", data=form).status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_downloads_are_limited_per_person(browser: Browser, make: Factory) -> None:
    case = make.case()
    browser.sign_in(case.memberships[0].person.email)
    url = f"/cases/{case.id}/plan/download?format=docx"
    for _ in range(2):
        assert browser.get(url).status_code == 200
    _assert_refused(browser.get(url), json=False)
    browser.sign_out()
    other = make.case()
    browser.sign_in(other.memberships[0].person.email)
    assert (
        browser.get(f"/cases/{other.id}/plan/download?format=docx").status_code == 200
    )
