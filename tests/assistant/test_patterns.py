"""The false alarms and misses of issue #14, one pattern at a time.

Each test is a small plan written for the pattern; the rules must neither flag
what a tribunal would accept nor pass what it would not.
"""

from __future__ import annotations

from datetime import date

import pytest

from portal.assistant import AdviceItem, CaseMaterial, Finding, get_assistant
from portal.assistant.checks.provision import provision_parts


def _check(sections: dict[str, str], **kw: object) -> list[Finding]:
    material = CaseMaterial(
        child_name=str(kw.pop("child_name", "Sam Okafor")),
        year_group=kw.pop("year_group", 4),  # type: ignore[arg-type]
        plan_stage="draft_for_consultation",
        sections=sections,
        today=date(2025, 1, 10),
        **kw,  # type: ignore[arg-type]
    )
    return get_assistant("rules").check(material)


def _kinds(findings: list[Finding], kind: str) -> list[Finding]:
    return [f for f in findings if f.kind == kind]


# --- jargon explained in the same sentence ---------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "Sam has difficulty with phonological awareness (hearing the sounds in words).",
        "Sam finds it hard to hear the sounds in words (phonological awareness).",
        "Sam has a moderate sensorineural hearing loss (SNHL).",
        "Sam has developmental language disorder (DLD), so he finds words hard.",
        "Sam needs help with sensory regulation (staying calm when it is noisy).",
        "Sam finds it hard to stay calm when it is noisy (sensory regulation).",
    ],
)
def test_jargon_explained_in_the_same_sentence_is_not_flagged(sentence: str) -> None:
    findings = _check({"B": f"- B1. {sentence}"})
    assert not _kinds(findings, "jargon_unexplained"), findings


@pytest.mark.parametrize(
    ("sentence", "term"),
    [
        (
            "Sam has weak reciprocal social interaction.",
            "reciprocal social interaction",
        ),
        ("Sam's phonological processing is below average.", "phonological processing"),
        ("Sam has difficulties with pragmatic language.", "pragmatic language"),
        ("Sam needs support with sensory regulation.", "sensory regulation"),
    ],
)
def test_multi_word_jargon_is_flagged_once(sentence: str, term: str) -> None:
    findings = _kinds(
        _check({"B": f"- B1. {sentence}", "F": f"- F1. Work on {term}."}),
        "jargon_unexplained",
    )
    assert [f.quote.lower() for f in findings] == [term], findings


# --- needs met by provision elsewhere ---------------------------------------


def test_health_need_met_by_health_provision_in_g() -> None:
    findings = _check(
        {
            "C": "Sam has asthma and needs his inhaler before PE.",
            "G": "- G1. A member of staff trained by the school nurse will give Sam "
            "two puffs of his blue inhaler before every PE lesson.",
        }
    )
    assert not _kinds(findings, "health_need_without_health_provision"), findings


def test_cross_reference_links_need_to_differently_worded_provision() -> None:
    findings = _check(
        {
            "B": "- B4. Sam cannot yet tie his laces or do up buttons.",
            "E": "- E4. By July 2026 Sam will dress himself after PE in 10 minutes. (B4)",
            "F": "- F4. (B4; E4) A daily 15-minute dressing skills programme planned by "
            "the occupational therapist and run by a trained teaching assistant.",
        }
    )
    assert not _kinds(findings, "missing_provision_for_need"), findings


def test_heading_reference_links_needs_to_provision() -> None:
    findings = _check(
        {
            "B": "- B2. Sam struggles to cope in the dinner hall.",
            "F": "### Provision for B2\n\n- A quiet table with two friends, supervised "
            "by a midday assistant, every lunch time.",
        }
    )
    assert not _kinds(findings, "missing_provision_for_need"), findings


def test_a_need_with_no_provision_is_still_flagged() -> None:
    findings = _check(
        {
            "B": "- B1. Sam cannot read simple words.\n- B2. Sam has no friends at "
            "playtime and plays alone.",
            "F": "- F1. (B1) Daily 20-minute phonics with a trained teaching assistant.",
        }
    )
    [gap] = _kinds(findings, "missing_provision_for_need")
    assert "friends" in gap.quote


# --- the provision model ----------------------------------------------------


@pytest.mark.parametrize(
    "provision",
    [
        "Speech and language therapy weekly, either individually or in a small group.",
        "A high adult:child ratio throughout the day.",
        "Regular speech and language therapy input.",
        "Access to a quiet space as needed.",
        "Sam will have 1:1 support.",
        "Small group work on social skills.",
        "Sam will be encouraged to use his word mat.",
        "Social skills sessions with a teaching assistant.",
    ],
)
def test_vague_provision_is_flagged(provision: str) -> None:
    findings = _check({"F": f"- F1. {provision}"})
    assert _kinds(findings, "unquantified_provision"), provision


@pytest.mark.parametrize(
    "provision",
    [
        "A group of up to 6 pupils for 30 minutes three times a week, led by a "
        "teaching assistant trained in Talk Boost.",
        "A teaching assistant will prompt Sam to use his word mat in all core subjects.",
        "A midday supervisor will check in with Sam at every play and lunch time.",
        "Sam will use a laptop for all written tasks.",
        "Every adult teaching Sam will use his radio aid in every lesson.",
        "Two 30-minute sessions a week of 1:1 speech and language therapy delivered "
        "by a speech and language therapist, reviewed each half term.",
        "A 15-minute check-in with his key adult at the start of every school day.",
    ],
)
def test_specific_provision_is_not_flagged(provision: str) -> None:
    findings = _check({"F": f"- F1. {provision}"})
    assert not _kinds(findings, "unquantified_provision"), findings


def test_provision_parts_name_what_a_tribunal_asks_for() -> None:
    parts = provision_parts(
        "Two 30-minute sessions a week of 1:1 speech and language therapy delivered by "
        "a speech and language therapist in the speech room, reviewed each half term."
    )
    assert parts.frequency and parts.duration and parts.deliverer
    assert parts.group and parts.where and parts.review
    assert not parts.open_choice
    vague = provision_parts("Therapy weekly, either individually or in a small group.")
    assert vague.frequency and vague.open_choice
    assert not vague.duration and not vague.deliverer
    assert set(vague.missing()) >= {"for how long", "who delivers it"}


# --- outcomes ---------------------------------------------------------------


def _outcome_findings(section_e: str) -> list[Finding]:
    return _kinds(_check({"E": section_e}), "outcome_not_smart")


def test_timeframe_in_the_heading_above_counts() -> None:
    text = (
        "### By the end of Key Stage 2 (July 2027)\n\n"
        "- E1. Sam will read a Year 4 book aloud with 95% accuracy."
    )
    assert not _outcome_findings(text)


@pytest.mark.parametrize(
    "outcome",
    [
        "By the end of Y2, Sam will write 3 sentences with capital letters.",
        "By the end of Year 9, Sam will travel to school on his own 3 days a week.",
        "By Y6 Sam will recall 8 of 10 number bonds to 10.",
    ],
)
def test_year_group_forms_are_dates(outcome: str) -> None:
    assert not _outcome_findings(f"- E1. {outcome}")


def test_most_important_fault_first_measurability() -> None:
    [finding] = _outcome_findings("- E1. Sam will improve his reading.")
    assert "cannot be measured" in finding.message


def test_provision_written_in_e_is_called_provision() -> None:
    [finding] = _outcome_findings(
        "- E1. Sam will have 30 minutes of speech and language therapy each week."
    )
    assert "this is provision, not an outcome" in finding.message.lower()


@pytest.mark.parametrize(
    "outcome",
    [
        "By July 2026 Sam will communicate effectively with his peers.",
        "By July 2026 Sam will behave appropriately in class.",
        "By July 2026 Sam will successfully manage transitions.",
        "By July 2026 Sam will have age-appropriate social skills.",
        "By July 2026 Sam will significantly reduce the gap with his peers in reading.",
    ],
)
def test_vague_goal_words_are_caught(outcome: str) -> None:
    [finding] = _outcome_findings(f"- E1. {outcome}")
    assert "cannot be measured" in finding.message


# --- Section A --------------------------------------------------------------


def test_aspiration_attributed_to_the_child_is_the_childs_voice() -> None:
    findings = _check(
        {"A": "Sam wants to have friends. Sam says he loves football and Lego."}
    )
    assert not _kinds(findings, "section_a_not_child_voice"), findings


# --- advice -----------------------------------------------------------------


def test_vague_advice_recommendations_are_noted_by_title_and_author() -> None:
    advice = AdviceItem(
        role="speech_language_therapist",
        reg6="6(1)(c)",
        title="Speech and language therapy advice",
        author="Ann Lee",
        source="advice/16_salt.md",
        text="## Recommendations\n\n- He should get SALT input regularly.\n",
    )
    findings = _check({"F": "- F1. Daily reading."}, advice=[advice])
    [note] = [f for f in findings if f.kind == "vague_advice_recommendation"]
    assert "Speech and language therapy advice (Ann Lee)" in note.message
    assert "16" not in note.message
    assert note.quote == "He should get SALT input regularly."


def test_advice_without_author_is_named_by_title_not_file() -> None:
    item = AdviceItem(role="x", reg6="f", title="OT report", source="advice/16_ot.md")
    assert item.name == "OT report"


def test_recommendation_carried_in_other_words_with_its_amounts() -> None:
    advice = AdviceItem(
        role="school_senco",
        reg6="6(1)(b)",
        title="Educational advice",
        author="Ian Blackwood",
        text="## Recommendations\n\n- Nurture group every afternoon, 1:15pm to 2:45pm, "
        "with no more than 8 children.\n",
    )
    findings = _check(
        {
            "F": "- F1. Sam will spend each afternoon from 1:15pm to 2:45pm in the Nest, "
            "the school's nurture group of up to 8 children, run by a trained teaching "
            "assistant."
        },
        advice=[advice],
    )
    assert not _kinds(findings, "advice_recommendation_not_in_plan"), findings
