""" "Start the draft" with a model configured: the advice goes redacted, only
proposals that quote the advice and keep its facts are kept, and a failing
model leaves the rules' proposals with a notice.

The model is a small local server speaking the chat-completions API (a test
double, `tests.assistant.fake_openai`), so the openai SDK's real HTTP path runs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.config import Settings
from portal.models import Document
from portal.services import documents
from portal.services.demo import DEMO_PASSWORD
from tests.assistant.fake_openai import FakeOpenAI, completion
from tests.browserlike import Browser
from tests.conftest import make_settings

ANXIETY = "shows signs of anxiety linked to unpredictability and noise."
GROUP = "A social skills group focused on play and turn-taking, 1 x 40 minutes weekly"


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


def _sentence_with(content: str, words: str) -> str:
    """The redacted advice's sentence holding `words`, as a model would copy it."""
    for line in content.splitlines():
        if words in line:
            start = line.rfind(".", 0, line.index(words)) + 1
            return line[start : line.index(words) + len(words)].strip()
    raise AssertionError(f"{words!r} was not sent")


def _model_answer(body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    content = body["messages"][-1]["content"]
    if ANXIETY not in content:
        return 200, completion(json.dumps({"proposals": []}))
    anxious = _sentence_with(content, ANXIETY)
    group = _sentence_with(content, GROUP)
    proposals = [
        {  # kept: the advice's words, a broad area, the facts unchanged
            "section": "B",
            "area": "Social, emotional and mental health",
            "recommendation": anxious,
            "text": anxious.replace("shows signs of", "has"),
        },
        {  # kept: provision with its amounts
            "section": "F",
            "area": "",
            "recommendation": group,
            "text": GROUP + ", run by a trained teaching assistant.",
        },
        {  # dropped: words the advice never said
            "section": "F",
            "recommendation": "Full-time 1:1 support from a teaching assistant.",
            "text": "Full-time 1:1 support.",
        },
        {  # dropped: the guard sees 40 minutes become 30
            "section": "F",
            "recommendation": group,
            "text": group.replace("40", "30"),
        },
        {"section": "Z", "recommendation": group, "text": group},  # no such section
        {"section": "B", "area": "Everything", "recommendation": anxious, "text": "x"},
        "not an object",
    ]
    return 200, completion(json.dumps({"proposals": proposals}))


def _ready(runner: Any, dbs: Session, browser: Browser) -> None:
    assert runner.invoke(args=["demo"]).exit_code == 0
    doc = dbs.scalars(
        select(Document).where(Document.title == "Psychological advice")
    ).one()
    assert doc.owner is not None
    documents.submit_advice(dbs, doc, doc.owner.person)
    dbs.commit()
    browser.sign_in("caseworker@example.org", DEMO_PASSWORD)


def _start(browser: Browser) -> Any:
    answer = browser.client.post(
        "/cases/1/draft", json={}, headers={"X-CSRFToken": browser.csrf_token()}
    )
    assert answer.status_code == 201
    return answer.get_json()


def test_the_model_drafts_from_redacted_advice_and_only_checked_proposals_stay(
    runner: Any, dbs: Session, browser: Browser, fake_model: FakeOpenAI
) -> None:
    _ready(runner, dbs, browser)
    fake_model.answers += [_model_answer, _model_answer]
    answer = _start(browser)
    sent = fake_model.sent_text()
    assert ANXIETY in sent, "the advice's substance was sent"
    for name in ("Leo", "Marchetti", "Priya", "Ashcombe"):
        assert name not in sent, name
    assert answer["notice"] is None
    assert answer["added"] == 2
    [need, provision] = answer["proposals"]
    assert need["section"] == "B" and need["area"].startswith("Social, emotional")
    assert need["recommendation"] == "Leo " + ANXIETY, "placeholders restored"
    assert need["text"] == "Leo has anxiety linked to unpredictability and noise."
    assert provision["section"] == "F" and provision["backend"] == "openai"
    # Accepting one records the advice's own words as its source.
    accepted = browser.client.post(
        f"/cases/1/draft/{need['id']}/accept",
        json={"text": need["text"]},
        headers={"X-CSRFToken": browser.csrf_token()},
    ).get_json()
    assert accepted["excerpt"]["quote"] == "Leo " + ANXIETY


def test_a_failing_model_leaves_the_rules_proposals_and_says_why(
    runner: Any, dbs: Session, browser: Browser, fake_model: FakeOpenAI
) -> None:
    _ready(runner, dbs, browser)
    for _ in range(6):
        fake_model.fail(500)
    answer = _start(browser)
    assert "could not be used" in answer["notice"]
    assert answer["added"] >= 5
    assert {p["backend"] for p in answer["proposals"]} == {"rules"}
