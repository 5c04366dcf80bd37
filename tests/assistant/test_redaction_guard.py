"""Redaction before a model call, and the guard on model rewrites."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from portal.assistant import AssistantSettings, CaseMaterial
from portal.assistant.base import AdviceItem
from portal.assistant.guard import check_rewrite
from portal.assistant.openai_backend import OpenAIAssistant
from portal.assistant.redaction import PLACEHOLDER, Redactor, person_name, person_names
from portal.casefolder import load_case_folder
from tests.assistant.conftest import case_dirs
from tests.assistant.fake_openai import FakeOpenAI

TEXT = (
    "Maisie Thornbury (date of birth 04/03/2018, NHS number 485 777 3456) lives at "
    "12 Elm Road, Northmere NM3 4QT. Maisie sees Dr Sian Maddox and Mrs Okafor at "
    "Willowbank Primary School. Call 01632 960123 or write to claire@example.org. "
    "Claire Thornbury says Maisie was born on 4 March 2018. NHS no. 4857773456."
)


def redactor() -> Redactor:
    return Redactor(
        "Maisie Thornbury",
        ["Claire Thornbury (mother)", "Dr Sian Maddox, Educational Psychologist"],
        ["Willowbank Primary School"],
    )


def test_redaction_removes_personal_details_and_restores_them() -> None:
    r = redactor()
    redacted = r.redact(TEXT)
    for secret in (
        "Maisie",
        "Thornbury",
        "485 777 3456",
        "4857773456",
        "04/03/2018",
        "4 March 2018",
        "NM3 4QT",
        "12 Elm Road",
        "Maddox",
        "Okafor",
        "Willowbank",
        "01632 960123",
        "claire@example.org",
        "Claire",
    ):
        assert secret not in redacted
    assert "[CHILD]" in redacted and "[NHS_NUMBER_1]" in redacted
    assert "[SCHOOL_1]" in redacted and "[PERSON_" in redacted
    assert r.restore(redacted) == TEXT


def test_same_value_gets_same_placeholder() -> None:
    r = Redactor("Sam Lee")
    assert r.redact("Mrs Shah met Sam. Mrs Shah said hello.").count("[PERSON_1]") == 2


@pytest.mark.parametrize(
    ("author", "name"),
    [
        ("Dr Sian Maddox, Educational Psychologist", "Sian Maddox"),
        ("Claire Thornbury (mother)", "Claire Thornbury"),
        ("Maisie Thornbury, with Jo Kerr (TA)", "Maisie Thornbury"),
        ("the school", ""),
    ],
)
def test_person_name(author: str, name: str) -> None:
    assert person_name(author) == name


@pytest.mark.parametrize(
    ("rewrite", "problem"),
    [
        ("[CHILD] will have regular speech therapy sessions.", "number"),
        ("[CHILD] will have 3 sessions of 30 minutes.", "week"),
        ("A therapist will see her 3 times a week for 30 minutes.", "[CHILD]"),
        ("[CHILD] will not have 3 sessions of 30 minutes a week.", "negation"),
        ("[CHILD] will have 4 sessions of 30 minutes a week.", "number"),
    ],
)
def test_guard_rejects_changed_facts(rewrite: str, problem: str) -> None:
    original = "[CHILD] will have 3 sessions of 30 minutes a week with a therapist."
    verdict = check_rewrite(original, rewrite)
    assert not verdict.ok
    assert any(problem in p for p in verdict.problems), verdict.problems


def test_guard_accepts_a_faithful_rewrite() -> None:
    original = (
        "It is recommended that [CHILD] receives three sessions of 30 minutes weekly."
    )
    rewrite = "[CHILD] will have 3 sessions of 30 minutes every week."
    assert check_rewrite(original, rewrite).ok


# Names in every form they are written: alone, together, any case, possessive,
# after a title, and people who are not on the case at all.
CASE_PEOPLE = ["Sarah Jones", "Amir Patel (father)", "Dr Anne McDonald, EP"]
NAMED_TEXT = (
    "LEO is 9. leo's mum says Leo's reading is slow; the Marchetti family agree. "
    "Dr Sarah Jones saw Leo. Sarah said JONES would write. Mrs Patel and Amir "
    "agree; Patel signed. Anne met Dr McDonald. Dr O'Neill, Mr Ruiz-Lopez, "
    "Prof. Zoë Ng, Dr S. Khan and Mx Adebayo-Smith came; Mrs Okafor sent notes "
    "and O'Neill, Okafor and Khan wrote again. Miss talks a lot."
)
SECRETS = (
    "Leo Marchetti Sarah Jones Amir Patel Anne McDonald O'Neill Ruiz-Lopez Zoë Ng "
    "Khan Adebayo-Smith Okafor"
).split()


def leaked(names: list[str], text: str) -> list[str]:
    """The names that appear in the text as whole words, in any letter case."""
    return [n for n in names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text, re.I)]


def test_every_form_of_every_name_is_redacted() -> None:
    redacted = Redactor("Leo Marchetti", CASE_PEOPLE).redact(NAMED_TEXT)
    assert leaked(SECRETS, redacted) == [], redacted
    assert "[CHILD]'s reading" in redacted and "[CHILD_SURNAME] family" in redacted
    assert "Miss talks" in redacted  # a title with no name after it stays


def test_each_name_keeps_one_placeholder_and_is_restored() -> None:
    r = Redactor("Leo Marchetti", CASE_PEOPLE)
    redacted = r.redact(NAMED_TEXT)
    assert redacted.count("[CHILD]") == 4
    sarah = re.findall(r"Dr (\[PERSON_\d+\]) saw", redacted)[0]
    assert r.mapping[sarah] == "Sarah Jones"
    patel = re.findall(r"Mrs (\[PERSON_\d+[A-Z_]*\]) and", redacted)[0]
    assert f"agree; {patel} signed" in redacted  # the same surname, alone
    assert len(set(PLACEHOLDER.findall(redacted))) == len(r.mapping)
    restored = r.restore(redacted)
    assert restored.replace("LEO", "Leo").replace("leo's", "Leo's") == (
        NAMED_TEXT.replace("LEO", "Leo").replace("leo's", "Leo's")
    ).replace("JONES", "Jones")


def test_a_second_person_on_an_author_line_is_redacted() -> None:
    redactor = Redactor("Maisie Thornbury", ["Maisie Thornbury, with Jo Kerr (TA)"])
    redacted = redactor.redact("Jo Kerr helped. Jo wrote it down; Kerr signed.")
    assert leaked(["Jo", "Kerr"], redacted) == []


def test_names_never_reach_the_model(fake_openai: FakeOpenAI) -> None:
    material = CaseMaterial(
        "Leo Marchetti",
        5,
        "draft_for_consultation",
        {"F": "Leo will have 3 sessions a week. LEO's mum, Mrs Patel, agrees."},
        advice=[AdviceItem("educational_psychologist", "6(1)(d)", "EP", NAMED_TEXT)],
        people=CASE_PEOPLE,
    )
    answer = {
        "advice": "A1",
        "recommendation": "[CHILD] to see Dr [PERSON_1]",
        "message": "Add what [CHILD] needs.",
        "section": "F",
    }
    fake_openai.reply(json.dumps({"rewrites": []}))
    fake_openai.reply(json.dumps({"findings": [answer]}))
    backend = OpenAIAssistant(
        AssistantSettings(base_url=fake_openai.base_url, api_key="k", max_retries=0)
    )
    backend.suggest_report(material.sections["F"], section="F", material=material)
    report = backend.check_report(material)
    assert len(fake_openai.requests) == 2
    assert leaked(SECRETS, fake_openai.sent_text()) == []
    assert any("Add what Leo needs." in f.message for f in report.findings)


def names_in_case_json(case_dir: Path) -> list[str]:
    """Every name part of the child, the caseworker and the advice authors."""
    data = json.loads((case_dir / "case.json").read_text())
    raw = [data["child"]["name"], data.get("caseworker") or ""]
    raw += [a.get("author") or "" for a in data.get("advice", [])]
    names = {part for r in raw for name in person_names(r) for part in name.split()}
    return sorted(names)


@pytest.mark.parametrize("case_dir", case_dirs(), ids=lambda p: p.name)
def test_no_name_of_a_case_reaches_the_model(
    case_dir: Path, fake_openai: FakeOpenAI
) -> None:
    material = CaseMaterial.from_case_folder(load_case_folder(case_dir))
    backend = OpenAIAssistant(
        AssistantSettings(base_url=fake_openai.base_url, api_key="k", max_retries=0)
    )
    for section, text in material.sections.items():
        backend.suggest_report(text, section=section, material=material)
    for advice in material.advice:
        backend.suggest_report(advice.text, material=material)
    backend.check_report(material)
    names = names_in_case_json(case_dir)
    assert len(names) >= 4
    assert leaked(names, fake_openai.sent_text()) == []
