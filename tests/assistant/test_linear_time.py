"""The rules assistant runs in time linear in its input, whatever the input.

Each shape below once made a regular expression or a loop in the checks take
time quadratic (or worse) in the length of the text: 250,000 crafted
characters held a worker for minutes. The tests time the whole rules backend
(suggestions, and every check with the text as a plan section and as advice)
at two sizes and require the larger to take about as many times longer as it
is larger, and well under a second per 250,000 characters.
"""

from __future__ import annotations

import random
import string
import time
from collections.abc import Callable
from datetime import date

import pytest

from portal.assistant.base import AdviceItem, CaseMaterial
from portal.assistant.checks import jargon
from portal.assistant.rules import RuleBasedAssistant


def _distinct_acronyms(n: int) -> str:
    rng = random.Random(7)
    letters = string.ascii_uppercase
    return " ".join("".join(rng.choices(letters, k=3)) for _ in range(n // 4 + 1))


ADVERSARIAL: dict[str, Callable[[int], str]] = {
    "capitals then underscore": lambda n: "A" * n + "_",
    "many distinct acronyms": _distinct_acronyms,
    "acronyms on one heading line": lambda n: "# " + "AB " * (n // 3),
    "one sentence ending mid-word": lambda n: "a" * n + ".x",
    "by by by": lambda n: "by " * (n // 3),
    "capitalised words, no school": lambda n: "Ab " * (n // 3),
    "hyphenated capitals": lambda n: "Ab-" * (n // 3),
    "no no no": lambda n: "no " * (n // 3),
    "will will": lambda n: "teacher will " * (n // 13),
    "references": lambda n: "(" + "A1, " * (n // 4),
    "dots": lambda n: "a." * (n // 2),
    "list items": lambda n: "- " * (n // 2),
    "titles": lambda n: "Dr " * (n // 3),
    "many short sentences": lambda n: "We will utilise it. " * (n // 20),
}


def _run_everything(
    text: str, sections: tuple[str, ...] = ("A", "E", "F", "I")
) -> None:
    assistant = RuleBasedAssistant()
    assistant.suggest_report(text, section="F")
    for key in sections:
        material = CaseMaterial(
            child_name="Ruby Ashworth",
            year_group=10,
            plan_stage="draft_for_consultation",
            sections={key: text, "K": "Advice from the school."},
            advice=[AdviceItem(role="school_senco", reg6="6(1)(b)", text=text)],
            today=date(2025, 1, 1),
            school_name="Fernhill Primary",
        )
        assistant.check_report(material)


def _seconds(make: Callable[[int], str], n: int, *sections: str) -> float:
    text = make(n)[:n]
    started = time.perf_counter()
    _run_everything(text, *([sections] if sections else []))
    return time.perf_counter() - started


@pytest.mark.parametrize("shape", ADVERSARIAL)
def test_rules_take_linear_time_on_adversarial_text(shape: str) -> None:
    make = ADVERSARIAL[shape]
    small = _seconds(make, 50_000)
    large = _seconds(make, 200_000)
    # Linear growth is 4x; quadratic would be 16x. Tiny times are noise, and
    # so is a busy machine: a failing ratio is measured twice more, keeping
    # the fastest of each size (a quadratic check stays quadratic every time).
    for _ in range(2):
        if small < 1.0 and large < max(small, 0.05) * 8:
            break
        small = min(small, _seconds(make, 50_000))
        large = min(large, _seconds(make, 200_000))
    assert small < 1.0, f"{shape}: 50,000 characters took {small:.1f} s"
    assert large < max(small, 0.05) * 8, (
        f"{shape}: 50k took {small:.3f} s but 200k took {large:.3f} s"
    )
    # What one request does: suggestions and the checks for one section.
    # Generous: this machine is shared; a quiet one takes well under a second.
    assert _seconds(make, 250_000, "F") < 5.0


def test_acronym_pattern_does_not_backtrack() -> None:
    started = time.perf_counter()
    list(jargon.ACRONYM.finditer("A" * 250_000 + "_"))
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The SENCO said", ["SENCO"]),
        ("ABcD and AB1C and SaLT", ["ABcD", "AB1C", "SaLT"]),
        ("A1 and AB_ and Ab and ABcdE", []),
    ],
)
def test_acronym_pattern_still_finds_acronyms(text: str, expected: list[str]) -> None:
    assert [m.group() for m in jargon.ACRONYM.finditer(text)] == expected
