"""The openai backend against a local chat-completions server (the SDK's real HTTP path)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from portal.assistant import AssistantSettings, CaseMaterial, get_assistant
from portal.assistant.openai_backend import OpenAIAssistant
from portal.casefolder import load_case_folder
from tests.assistant.conftest import OWN_CASES
from tests.assistant.fake_openai import FakeOpenAI

TEXT = (
    "Maisie Thornbury (date of birth 04/03/2018, NHS number 485 777 3456) will "
    "receive 3 sessions of 30 minutes a week. In order to facilitate Maisie's "
    "participation, the TA will utilise visual supports."
)


def material() -> CaseMaterial:
    return CaseMaterial(
        "Maisie Thornbury",
        2,
        "draft_for_consultation",
        {"F": TEXT},
        people=["Dr Sian Maddox"],
    )


def assistant(server: FakeOpenAI, timeout: float = 2.0) -> OpenAIAssistant:
    settings = AssistantSettings(
        base_url=server.base_url,
        api_key="test-key",
        model="fake-model",
        timeout=timeout,
        max_retries=0,
    )
    backend = get_assistant("openai", settings)
    assert isinstance(backend, OpenAIAssistant)
    return backend


def rewrites(*pairs: tuple[str, str]) -> str:
    return json.dumps(
        {
            "rewrites": [
                {"original": o, "rewrite": r, "reason": "plainer"} for o, r in pairs
            ]
        }
    )


def test_request_is_redacted_and_answer_restored(fake_openai: FakeOpenAI) -> None:
    fake_openai.answers.append(lambda body: (200, _echo_rewrite(body)))
    report = assistant(fake_openai).suggest_report(TEXT, material=material())
    sent = fake_openai.sent_text()
    for secret in ("Maisie", "Thornbury", "04/03/2018", "485 777 3456"):
        assert secret not in sent
    assert fake_openai.requests[0]["path"] == "/v1/chat/completions"
    [llm] = [s for s in report.suggestions if s.source == "llm"]
    assert llm.original.startswith("In order to facilitate Maisie's")
    assert (
        llm.replacement == "To help Maisie take part, the TA will use visual supports."
    )
    assert TEXT[llm.start : llm.end] == llm.original
    assert any(s.source == "rules" for s in report.suggestions)
    assert not report.notices


def _echo_rewrite(body: dict) -> dict:
    from tests.assistant.fake_openai import completion

    user = body["messages"][-1]["content"]
    start = user.index("In order to")
    original = user[start:]
    child = original.split("facilitate ")[1].split("'")[0]  # the placeholder
    return completion(
        rewrites(
            (original, f"To help {child} take part, the TA will use visual supports.")
        )
    )


def test_guard_rejects_a_rewrite_that_drops_a_quantity(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply(
        rewrites(
            (
                "[CHILD_NAME] (date of birth [DATE_1], NHS number [NHS_NUMBER_1]) will receive "
                "3 sessions of 30 minutes a week.",
                "[CHILD_NAME] (date of birth [DATE_1], NHS number [NHS_NUMBER_1]) will get "
                "regular sessions.",
            )
        )
    )
    report = assistant(fake_openai).suggest_report(TEXT, material=material())
    assert not [s for s in report.suggestions if s.source == "llm"]
    [rejected] = report.rejected
    assert "regular sessions" in rejected["rewrite"]
    assert any("number" in p for p in rejected["problems"])


def test_server_error_gives_rules_results_and_a_clear_notice(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.fail(500)
    report = assistant(fake_openai).suggest_report(TEXT)
    assert report.suggestions and all(s.source == "rules" for s in report.suggestions)
    [notice] = report.notices
    assert notice.startswith("The writing assistant could not reach the model:")
    assert "HTTP 500" in notice and notice.endswith(
        "The checks below come from the built-in rules."
    )


def test_timeout_gives_rules_results_and_a_clear_notice(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.delay = 1.0
    case = CaseMaterial.from_case_folder(load_case_folder(OWN_CASES / "case03_ayaan"))
    report = assistant(fake_openai, timeout=0.2).check_report(case)
    assert report.findings == get_assistant("rules").check(case)
    [notice] = report.notices
    assert "did not answer within 0.2 seconds" in notice


@pytest.mark.parametrize("content", ["not json at all", "[1, 2]"])
def test_malformed_answer_gives_a_notice(fake_openai: FakeOpenAI, content: str) -> None:
    fake_openai.reply(content)
    report = assistant(fake_openai).suggest_report(TEXT)
    assert "not the JSON the portal asked for" in report.notices[0]


def test_rate_limit_gives_a_notice(fake_openai: FakeOpenAI) -> None:
    fake_openai.fail(429)
    assert "rate limit" in assistant(fake_openai).suggest_report(TEXT).notices[0]


def test_model_findings_are_added_with_exact_quotes(fake_openai: FakeOpenAI) -> None:
    case = CaseMaterial.from_case_folder(load_case_folder(OWN_CASES / "case04_jordan"))
    fake_openai.reply(
        json.dumps(
            {
                "findings": [
                    {
                        "section": "F",
                        "recommendation": "A weekly 45-minute music session",
                        "plan_quote": "Mentoring sessions as required.",
                        "message": "Carry the amounts.",
                    },
                    {
                        "section": "F",
                        "recommendation": "x",
                        "plan_quote": "text not in the plan",
                        "message": "[CHILD] needs this.",
                    },
                ]
            }
        )
    )
    report = assistant(fake_openai).check_report(case)
    assert "Jordan" not in fake_openai.sent_text()
    model = [
        f
        for f in report.findings
        if f.severity == "medium" and f.kind == "advice_recommendation_not_in_plan"
    ]
    assert {f.quote for f in model} == {"Mentoring sessions as required.", ""}
    assert any(f.message.startswith("Jordan needs this.") for f in model)


def test_model_findings_name_the_advice_by_title_author_and_link(
    fake_openai: FakeOpenAI,
) -> None:
    case = CaseMaterial.from_case_folder(load_case_folder(OWN_CASES / "case04_jordan"))
    case.advice[0] = replace(case.advice[0], link="/documents/7")
    first = {"section": "F", "recommendation": "A weekly session", "message": "Add."}
    fake_openai.reply(
        json.dumps(
            {"findings": [{**first, "advice": "A1"}, {**first, "advice": "A99"}]}
        )
    )
    report = assistant(fake_openai).check_report(case)
    sent = fake_openai.sent_text()
    assert f"### A1: {case.advice[0].title}" in sent
    named, unknown = [f for f in report.findings if f.severity == "medium"]
    assert named.message == f"Add. (From {case.advice[0].name}: 'A weekly session')"
    assert (named.link, named.link_text) == ("/documents/7", case.advice[0].name)
    assert unknown.message == "Add. (Advice: 'A weekly session')" and not unknown.link


def test_without_advice_the_check_asks_no_model(fake_openai: FakeOpenAI) -> None:
    case = CaseMaterial.from_case_folder(load_case_folder(OWN_CASES / "case04_jordan"))
    report = assistant(fake_openai).check_report(case.without_advice())
    assert not fake_openai.requests and not report.notices
    assert report.findings == get_assistant("rules").check(case.without_advice())


def test_unconfigured_backend_explains_which_variable_to_set() -> None:
    report = get_assistant("openai", AssistantSettings()).suggest_report("Utilise it.")
    assert "set OPENAI_API_KEY or OPENAI_BASE_URL" in report.notices[0]
    assert report.suggestions


def test_settings_from_env_and_portal_settings() -> None:
    s = AssistantSettings.from_env(
        {"OPENAI_BASE_URL": "http://x/v1", "OPENAI_MODEL": "m"}
    )
    assert (s.base_url, s.model, s.api_key, s.is_configured) == (
        "http://x/v1",
        "m",
        None,
        True,
    )

    class PortalSettings:
        openai_base_url = None
        openai_api_key = "k"
        openai_model = "gpt"
        openai_timeout = 5

    coerced = AssistantSettings.coerce(PortalSettings())
    assert (coerced.api_key, coerced.model, coerced.timeout) == ("k", "gpt", 5.0)


def test_unknown_backend_name() -> None:
    with pytest.raises(ValueError, match="use one of openai, rules"):
        get_assistant("gpt")


def test_guard_rejects_a_model_rewrite_that_no_longer_reads(
    fake_openai: FakeOpenAI,
) -> None:
    original = (
        "[CHILD_NAME] (date of birth [DATE_1], NHS number [NHS_NUMBER_1]) will receive "
        "3 sessions of 30 minutes a week."
    )
    fake_openai.reply(
        rewrites(
            (
                original,
                "[CHILD_NAME] (date of birth [DATE_1], NHS number [NHS_NUMBER_1]) "
                "3 sessions of 30 minutes a week for the the.",
            )
        )
    )
    report = assistant(fake_openai).suggest_report(TEXT, material=material())
    assert not [s for s in report.suggestions if s.source == "llm"]
    [rejected] = report.rejected
    assert any("sentence" in p for p in rejected["problems"])
