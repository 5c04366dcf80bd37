"""Plain-English suggestions and reading measures."""

from __future__ import annotations

import pytest

from portal.assistant import get_assistant, reading_measures
from portal.assistant.plain_english import apply_suggestions
from portal.assistant.text import numbers

JARGON = [
    "In order to facilitate Priya's access to the curriculum, it is recommended that "
    "additional adult assistance is provided on a daily basis. Priya demonstrates "
    "significant difficulties with expressive language and presents with limited "
    "engagement. The TA will utilise a range of strategies prior to each lesson for "
    "approximately 20 minutes, 3 times per week.",
    "With regard to Tomasz's attainment, the SENCo will endeavour to ascertain whether "
    "sufficient assistance has been obtained. Subsequently, the psychologist will commence "
    "a review on a weekly basis for 6 weeks. Notwithstanding his progress, the majority "
    "of sessions will terminate at 2.30pm.",
]


@pytest.mark.parametrize("text", JARGON)
def test_applying_every_suggestion_raises_reading_ease_and_keeps_numbers(
    text: str,
) -> None:
    suggestions = get_assistant("rules").suggest(text)
    assert any(s.replacement for s in suggestions)
    for s in suggestions:
        assert text[s.start : s.end] == s.original
    plain = apply_suggestions(text, suggestions)
    assert numbers(plain) == numbers(text)
    assert (
        reading_measures(plain).flesch_reading_ease
        > reading_measures(text).flesch_reading_ease
    )


def test_word_swaps_keep_capitals() -> None:
    text = "Utilise the visual timetable."
    [s] = [s for s in get_assistant("rules").suggest(text) if s.rule == "plain_words"]
    assert (s.original, s.replacement) == ("Utilise", "Use")


def test_acronym_offered_once_and_not_when_spelt_out() -> None:
    rules = get_assistant("rules")
    text = "The TA will help. The TA will also read."
    acronyms = [s for s in rules.suggest(text) if s.rule == "acronym"]
    assert [(s.start, s.replacement) for s in acronyms] == [
        (4, "teaching assistant (TA)")
    ]
    spelt = "A teaching assistant (TA) will help. The TA will read."
    assert not [s for s in rules.suggest(spelt) if s.rule == "acronym"]


def test_long_sentence_and_passive_voice_are_flagged_without_a_rewrite() -> None:
    long = " ".join(["word"] * 30) + "."
    text = f"{long} Support will be provided by the school."
    rules = {s.rule: s for s in get_assistant("rules").suggest(text)}
    assert rules["long_sentence"].replacement is None
    assert rules["passive_voice"].original == "be provided"


def test_reading_measures() -> None:
    easy = reading_measures("I like my dog. He is fun. We play.")
    hard = reading_measures(
        "Comprehensive multidisciplinary intervention necessitates considerable "
        "interprofessional coordination."
    )
    assert easy.flesch_reading_ease > 90 > 0 > hard.flesch_reading_ease
    assert easy.reading_age < 9 < hard.reading_age
    assert reading_measures("").words == 0


def test_check_report_gives_reading_measures_per_section() -> None:
    from portal.assistant import CaseMaterial

    material = CaseMaterial(
        "Sam Lee",
        3,
        "draft_for_consultation",
        {"A": "I like trains.", "B": "Sam finds reading hard."},
    )
    report = get_assistant("rules").check_report(material)
    assert set(report.measures) == {"A", "B"}
    assert not report.notices


@pytest.mark.parametrize(
    ("text", "original", "replacement"),
    [
        ("Leo utilises a visual timetable.", "utilises", "uses"),
        ("The programme commenced in May.", "commenced", "started"),
        ("Facilitating play at lunchtime.", "Facilitating", "Helping"),
    ],
)
def test_inflected_forms_of_listed_words_are_caught(
    text: str, original: str, replacement: str
) -> None:
    found = {(s.original, s.replacement) for s in get_assistant("rules").suggest(text)}
    assert (original, replacement) in found
