"""The Check panel's endpoint with a model configured: nothing identifying leaves
the server, and a failing model still leaves the rules results.

The model is a small local server speaking the chat-completions API (a test
double, `tests.assistant.fake_openai`), so the openai SDK's real HTTP path runs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from portal.config import Settings
from tests.assistant.fake_openai import FakeOpenAI, completion
from tests.browserlike import Browser
from tests.conftest import make_settings
from tests.factories import DRAFT_RECOMMENDATION, demo_with_draft_recommendation

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


# A recommendation in the psychologist's draft advice that the plan does not carry.
MARKER = DRAFT_RECOMMENDATION


def _answer_naming_the_ep_advice(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """The check's answer: the marker, from the advice shown as 'Psychological advice'."""
    sent = body["messages"][-1]["content"]
    key = re.search(r"### (A\d+): Psychological advice", sent).group(1)
    finding = {
        "section": "F",
        "advice": key,
        "recommendation": MARKER,
        "message": "Add.",
    }
    return 200, completion(json.dumps({"findings": [finding]}))


def _check_as(app: Flask, email: str, doc_id: int) -> dict[str, Any]:
    browser = Browser(app.test_client())
    browser.sign_in(email, "portal-demo-2026")
    response = browser.client.post(
        f"/api/documents/{doc_id}/assistant",
        json={"text": "- **F1.** Leo will have access to regular support."},
        headers={"X-CSRFToken": browser.csrf_token()},
    )
    assert response.status_code == 200
    return response.get_json()


def test_only_the_caseworkers_check_sends_advice_to_the_model(
    app: Flask, runner, dbs: Session, fake_model: FakeOpenAI
) -> None:
    runner.invoke(args=["demo"])
    ep, section_f = demo_with_draft_recommendation(dbs)

    fake_model.reply(json.dumps({"rewrites": []}))
    parent = _check_as(app, "parent@example.org", section_f.id)
    assert len(fake_model.requests) == 1, "the parent's rewrite only: no check"
    assert "Zqblorp" not in fake_model.sent_text()
    assert "Zqblorp" not in json.dumps(parent) and parent["notices"] == []

    fake_model.reply(json.dumps({"rewrites": []}))
    fake_model.answers.append(_answer_naming_the_ep_advice)
    caseworker = _check_as(app, "caseworker@example.org", section_f.id)
    assert len(fake_model.requests) == 3
    assert "Zqblorp" in json.dumps(fake_model.requests[2])
    [model] = [f for f in caseworker["findings"] if f["severity"] == "medium"]
    name = "Psychological advice (Dr Martin Hale)"
    assert model["message"] == f"Add. (From {name}: '{MARKER}')"
    assert model["link"] == {"href": f"/documents/{ep.id}", "text": name}
