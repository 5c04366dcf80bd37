"""The Check panel's endpoint with a model configured: nothing identifying leaves
the server, and a failing model still leaves the rules results.

The model is a small local server speaking the chat-completions API (a test
double, `tests.assistant.fake_openai`), so the openai SDK's real HTTP path runs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from portal.config import Settings
from tests.assistant.fake_openai import FakeOpenAI
from tests.browserlike import Browser
from tests.conftest import make_settings

TEXT = (
    "Leo Marchetti utilises the quiet room at Ashcombe Primary School in order to calm down. "
    "His mother, Sofia Marchetti, can be called on 07700 900123. "
    "Leo will have 3 sessions of 20 minutes a week with a teaching assistant."
)
SECRETS = ["Leo", "Marchetti", "Sofia", "07700 900123", "Ashcombe"]


@pytest.fixture
def fake_model() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def settings(fake_model: FakeOpenAI) -> Settings:
    return make_settings(
        OPENAI_BASE_URL=fake_model.base_url,
        OPENAI_API_KEY="test-key",
        OPENAI_MODEL="fake-model",
        OPENAI_TIMEOUT="2",
    )


def _check(browser: Browser, runner) -> dict[str, object]:
    runner.invoke(args=["demo"])
    browser.sign_in("parent@example.org", "portal-demo-2026")
    home = browser.text("/")
    doc_id = int(home.split("/documents/")[1].split('"')[0])
    response = browser.client.post(
        f"/api/documents/{doc_id}/assistant",
        json={"text": TEXT},
        headers={"X-CSRFToken": browser.csrf_token()},
    )
    assert response.status_code == 200
    return response.get_json()


def test_no_name_phone_or_school_reaches_the_model(
    browser: Browser, runner, fake_model: FakeOpenAI
) -> None:
    fake_model.reply(json.dumps({"rewrites": []}))
    body = _check(browser, runner)
    assert fake_model.requests, "the model was asked"
    sent = fake_model.sent_text()
    for secret in SECRETS:
        assert secret not in sent, secret
    assert "3 sessions of 20 minutes" in sent  # the substance still goes
    assert any(s["original"] == "in order to" for s in body["suggestions"])  # rules too
    assert body["notices"] == []


def test_a_failing_model_gives_a_clear_notice_and_the_rules_results(
    browser: Browser, runner, fake_model: FakeOpenAI
) -> None:
    for _ in range(5):
        fake_model.fail(500)
    body = _check(browser, runner)
    assert any("could not reach the model" in n for n in body["notices"])
    assert any(s["original"] == "in order to" for s in body["suggestions"])
