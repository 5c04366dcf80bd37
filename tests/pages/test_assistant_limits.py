"""One call to the Check panel's endpoint is bounded: in what it reads, in how
long it may run and in how much it answers."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask.testing import FlaskClient

from portal.assistant.rules import RuleBasedAssistant
from portal.config import Settings
from tests.browserlike import Browser
from tests.conftest import make_settings
from tests.factories import Factory


@pytest.fixture
def settings() -> Settings:
    return make_settings(ASSISTANT_TIME_LIMIT_SECONDS="1")


def _post(browser: Browser, make: Factory, text: str) -> Any:
    case = make.case()
    browser.sign_in(case.memberships[0].person.email)
    section = make.section(case, "F")
    return browser.client.post(
        f"/api/documents/{section.id}/assistant",
        json={"text": text},
        headers={"X-CSRFToken": browser.csrf_token()},
    )


def test_the_reply_carries_at_most_200_suggestions_and_says_so(
    browser: Browser, make: Factory
) -> None:
    response = _post(browser, make, "We will utilise it. " * 1000)
    body = response.get_json()
    assert response.status_code == 200
    assert len(body["suggestions"]) == 200
    assert any("first 200 suggestions" in n for n in body["notices"])


def test_text_over_200000_characters_is_refused(
    browser: Browser, make: Factory
) -> None:
    response = _post(browser, make, "a" * 200_001)
    assert response.status_code == 400
    assert "too long" in response.get_json()["error"]


def test_a_check_that_runs_too_long_answers_503(
    browser: Browser, make: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    def slow(self: object, text: str, **kwargs: object) -> None:
        time.sleep(3)

    monkeypatch.setattr(RuleBasedAssistant, "suggest_report", slow)
    started = time.monotonic()
    response = _post(browser, make, "Some text.")
    assert time.monotonic() - started < 2.5
    assert response.status_code == 503
    assert "took too long" in response.get_json()["error"]


def test_adversarial_text_is_checked_quickly(
    client: FlaskClient, browser: Browser, make: Factory
) -> None:
    started = time.monotonic()
    response = _post(browser, make, "A" * 199_999 + "_")
    assert response.status_code == 200
    assert time.monotonic() - started < 5
