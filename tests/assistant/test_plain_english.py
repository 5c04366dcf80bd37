"""Plain-English suggestions and reading measures."""

from __future__ import annotations

import pytest

from portal.assistant import get_assistant, reading_measures
from portal.assistant.grammar import reads_as_sentence
from portal.assistant.plain_english import apply_suggestions
from portal.assistant.text import numbers, sentences

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


# --- the rewriter (issue #14) -------------------------------------------------


def _rewrite(text: str) -> str:
    return apply_suggestions(text, get_assistant("rules").suggest(text))


def test_a_long_sentence_is_split_and_keeps_every_number() -> None:
    text = (
        "Priya finds it hard to follow spoken instructions in a busy classroom, and she "
        "often waits for a friend to show her what to do before she starts on 3 out of 5 "
        "tasks."
    )
    plain = _rewrite(text)
    assert len(sentences(plain)) == 2, plain
    assert numbers(plain) == numbers(text)
    assert all(reads_as_sentence(s.text) for s in sentences(plain))


def test_a_passive_with_a_named_doer_becomes_active() -> None:
    plain = _rewrite(
        "Support will be provided by the teaching assistant every morning."
    )
    assert plain == "The teaching assistant will provide support every morning."


@pytest.mark.parametrize(
    ("text", "broken"),
    [
        ("His difficulties in terms of attention affect him.", "difficulties for"),
        ("This may affect daily engagement in lessons.", "daily taking part"),
        ("He needs regular SALT input.", "(SALT) input"),
    ],
)
def test_swaps_that_would_break_grammar_are_not_made(text: str, broken: str) -> None:
    plain = _rewrite(text)
    assert broken not in plain, plain
    assert all(reads_as_sentence(s.text) for s in sentences(plain)), plain


def test_multi_word_jargon_is_explained_once() -> None:
    plain = _rewrite(
        "Sam has weak pragmatic language. His pragmatic language is a priority."
    )
    # Once, in a short sentence of its own after the first use.
    assert plain.count("using language in social situations") == 1, plain
    assert "Pragmatic language means using language in social situations." in plain


def test_no_passive_warning_on_a_state() -> None:
    found = get_assistant("rules").suggest("When he is dysregulated he hides.")
    assert not [s for s in found if s.rule == "passive_voice"]


def test_parser_check_rejects_broken_shapes() -> None:
    assert reads_as_sentence("The teaching assistant will help Sam every day.")
    for bad in (
        "His difficulties for attention affect him.",
        "It may affect daily taking part.",
        "He needs regular speech and language therapy (SALT) input.",
        "and then the.",
        "Sam needs the the book.",
    ):
        assert not reads_as_sentence(bad), bad
