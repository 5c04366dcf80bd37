"""Redaction before a model call, and the guard on model rewrites."""

from __future__ import annotations

import pytest

from portal.assistant.guard import check_rewrite
from portal.assistant.redaction import Redactor, person_name

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
