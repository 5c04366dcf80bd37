"""The development corpus (issue 14) is in the shared examples' format.

Every case folder under tests/corpus/tuning and tests/corpus/heldback must load
with the importer's parser, and its answer key must point at text that is
really there: a gap's quote inside the section it is anchored to, every piece
of evidence inside the advice file it names, every should-not-flag passage in
the plan. The wording and jargon lists must meet the issue's minimums.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from portal.casefolder import load_case_folder

CORPUS = Path(__file__).resolve().parent
CASES = sorted(
    p
    for part in ("tuning", "heldback")
    for p in (CORPUS / part).iterdir()
    if p.is_dir()
)
GAP_KINDS = {
    "missing_provision_for_need",
    "unquantified_provision",
    "outcome_not_smart",
    "missing_advice",
    "advice_recommendation_not_in_plan",
    "section_a_not_child_voice",
    "health_need_without_health_provision",
    "social_care_need_without_provision",
    "missing_preparing_for_adulthood",
    "jargon_unexplained",
    "missing_placement",
}
SECTION_KEYS = {"A", "B", "C", "D", "E", "F", "G", "H", "H1", "H2", "I", "J", "K"}
ROLES = {
    "parent_carer",
    "child_young_person",
    "school_senco",
    "educational_psychologist",
    "speech_language_therapist",
    "occupational_therapist",
    "physiotherapist",
    "paediatrician",
    "camhs_clinician",
    "school_nurse",
    "audiologist",
    "social_worker",
    "pfa_adviser",
    "sensory_teacher",
    "specialist_teacher",
    "other_professional",
}
GAP_KEYS = {"id", "section", "kind", "quote", "fix_section", "evidence"}
GAP_KEYS_OPTIONAL = {"also_acceptable_kinds", "explanation", "suggested_fix"}
SNF_KEYS = {"section", "quote", "reason"}
SNF_KEYS_OPTIONAL = {"pattern"}


def _json(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


def test_corpus_has_enough_cases_in_both_parts() -> None:
    tuning = [p for p in CASES if p.parent.name == "tuning"]
    heldback = [p for p in CASES if p.parent.name == "heldback"]
    assert len(CASES) >= 30
    assert len(tuning) >= 12 and len(heldback) >= 12
    assert len({p.name for p in CASES}) == len(CASES), "case ids must be unique"


@pytest.mark.parametrize("folder", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_case_folder_loads_and_its_answer_key_points_at_real_text(
    folder: Path,
) -> None:
    case = load_case_folder(folder)
    data = _json(folder / "case.json")
    assert data["case_id"] == folder.name and data["fictional"] is True
    assert set(data["child"]) >= {"name", "age", "year_group", "pronouns"}
    assert set(data["school"]) >= {"name", "type", "phase"}
    assert 2 <= int(data["child"]["age"]) <= 25
    # Every advice file is listed in case.json with the same role and reg 6 ref.
    listed = {a["file"]: a for a in data["advice"]}
    on_disk = {a.path: a for a in case.advice}
    assert set(listed) == set(on_disk)
    assert 3 <= len(on_disk) <= 7
    for rel, advice in on_disk.items():
        assert advice.role in ROLES, rel
        assert advice.role == listed[rel]["role"], rel
        assert advice.reg6 == listed[rel]["reg6"], rel
        assert advice.title and advice.author and advice.date, rel
    # The plan has every section, with the draft/final rule for Section I.
    assert {"A", "B", "C", "D", "E", "F", "G", "I", "J", "K"} <= set(case.sections)
    assert ("H1" in case.sections and "H2" in case.sections) or "H" in case.sections

    expected = _json(folder / "expected.json")
    assert expected["case_id"] == folder.name
    assert expected["plan_stage"] == case.plan_stage == data["plan_stage"]
    plan = case.plan_markdown
    ids = [g["id"] for g in expected["gaps"]]
    assert len(ids) == len(set(ids))
    for gap in expected["gaps"]:
        keys = set(gap)
        assert GAP_KEYS <= keys <= GAP_KEYS | GAP_KEYS_OPTIONAL, gap["id"]
        assert gap["id"].startswith(f"{folder.name}-g")
        assert gap["kind"] in GAP_KINDS, gap["id"]
        assert set(gap.get("also_acceptable_kinds", [])) <= GAP_KINDS, gap["id"]
        assert gap["section"] in SECTION_KEYS, gap["id"]
        for fix in re.split(r"[/, ]+", gap["fix_section"]):
            assert fix in SECTION_KEYS, gap["id"]
        if gap["quote"] is not None:
            assert gap["quote"] in case.sections[gap["section"]], gap["id"]
        for ev in gap["evidence"]:
            body = (folder / ev["file"]).read_text("utf-8")
            assert ev["quote"] in body, f"{gap['id']}: {ev['quote']!r}"
    # Optional: vague recommendations inside the advice documents themselves.
    for item in expected.get("advice_vague_recommendations", []):
        assert set(item) == {"file", "quote", "reason"}, item
        body = (folder / item["file"]).read_text("utf-8")
        assert item["quote"] in body, item["quote"]
    assert set(expected) <= {
        "case_id",
        "plan_stage",
        "gaps",
        "should_not_flag",
        "advice_vague_recommendations",
    }
    for item in expected["should_not_flag"]:
        keys = set(item)
        assert SNF_KEYS <= keys <= SNF_KEYS | SNF_KEYS_OPTIONAL, item
        assert item["quote"] in case.sections[item["section"]], item["quote"]
        assert item["quote"] in plan
        # A passage cannot be both a gap and fine (a fine term inside a flagged
        # sentence is allowed: the sentence may be flagged for something else).
        assert item["quote"] not in {g["quote"] for g in expected["gaps"]}


def test_heldback_cases_carry_should_not_flag_passages_for_every_tricky_pattern() -> (
    None
):
    patterns: set[str] = set()
    for folder in CASES:
        if folder.parent.name != "heldback":
            continue
        for item in _json(folder / "expected.json")["should_not_flag"]:
            if "pattern" in item:
                patterns.add(item["pattern"])
    assert patterns >= {
        "term_explained_in_place",
        "need_met_elsewhere",
        "cross_reference",
        "quantified_by_scope",
        "up_to_caps_group",
        "timeframe_in_heading",
        "year_group_date",
        "aspiration_attributed_to_child",
    }


def test_wordings_meet_the_minimums_and_are_balanced() -> None:
    wordings = _json(CORPUS / "wordings.json")["wordings"]
    assert len(wordings) >= 150
    assert len({w["id"] for w in wordings}) == len(wordings)
    assert len({w["text"] for w in wordings}) == len(wordings)
    for w in wordings:
        assert w["kind"] in {"provision", "outcome"}, w["id"]
        assert w["label"] in {"vague", "specific"}, w["id"]
        assert w["reason"].strip() and "\n" not in w["reason"], w["id"]
        assert w["style"].strip(), w["id"]
        assert w["part"] in {"tuning", "heldback"}, w["id"]
        assert set(w) <= {"id", "kind", "label", "style", "text", "reason", "part"} | {
            "heading"
        }, w["id"]
    vague = sum(w["label"] == "vague" for w in wordings)
    assert 0.4 <= vague / len(wordings) <= 0.6
    for kind in ("provision", "outcome"):
        labels = {w["label"] for w in wordings if w["kind"] == kind}
        assert labels == {"vague", "specific"}, kind
    # Both parts hold both labels, so each can be scored on its own.
    for part in ("tuning", "heldback"):
        labels = [w["label"] for w in wordings if w["part"] == part]
        assert labels.count("vague") >= 20 and labels.count("specific") >= 20, part
    # A wording quoted from a held-back case is held back too.
    held_plans = [
        (p / "draft_plan.md").read_text("utf-8")
        for p in CASES
        if p.parent.name == "heldback"
    ]
    for w in wordings:
        if any(w["text"][:28] in plan for plan in held_plans):
            assert w["part"] == "heldback", w["id"]


def test_jargon_paragraphs_are_long_enough_and_list_what_must_be_kept() -> None:
    paragraphs = _json(CORPUS / "jargon_paragraphs.json")["paragraphs"]
    assert len(paragraphs) >= 24
    styles = {p["style"] for p in paragraphs}
    assert {"educational_psychologist", "speech_language_therapist"} <= styles
    assert {"occupational_therapist", "camhs_clinician", "paediatrician"} <= styles
    assert {p["part"] for p in paragraphs} == {"tuning", "heldback"}
    for p in paragraphs:
        words = len(p["text"].split())
        assert 60 <= words <= 150, f"{p['id']}: {words} words"
        assert p["keep"], p["id"]
        for token in p["keep"]:
            assert token in p["text"], f"{p['id']}: {token!r}"
