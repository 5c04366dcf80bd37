"""Reading case folders: fields, plan sections and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from portal.casefolder import (
    CaseFolderError,
    load_case_folder,
    parse_year_group,
    split_plan,
    split_plan_sections,
)
from tests.assistant.conftest import OWN_CASES


def test_loads_case_fields_and_advice() -> None:
    folder = load_case_folder(OWN_CASES / "case04_jordan")
    assert folder.child_name == "Jordan Pike"
    assert folder.year_group == 11
    assert folder.plan_stage == "final_for_issue"
    assert folder.school_name == "Oakridge Community College"
    assert folder.request_date.isoformat() == "2024-11-04"
    assert [a.role for a in folder.advice][:2] == ["parent_carer", "school_senco"]
    assert folder.advice[1].date.isoformat() == "2024-12-09"
    assert folder.advice[1].body.lstrip().startswith("Jordan has ADHD")
    assert set(folder.sections) >= {"A", "B", "E", "F", "H1", "H2", "I", "K"}


def test_k_only_advice_and_reception_year() -> None:
    folder = load_case_folder(OWN_CASES / "case05_lily")
    assert folder.year_group == 0
    assert [k.k_ref for k in folder.advice_listed_in_k_only] == ["K4", "K5"]
    assert "H" in folder.sections  # "SECTION H: SOCIAL CARE PROVISION" is not split


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Year 2", 2),
        ("Reception", 0),
        ("Year 11", 11),
        ("Nursery", -1),
        ("", None),
        (7, 7),
    ],
)
def test_parse_year_group(value: object, expected: int | None) -> None:
    assert parse_year_group(value) == expected


@pytest.mark.parametrize(
    "heading",
    [
        "## Section A: Views",
        "## Section A - Views",
        "## Section A \u2013 Views",
        "## A. Views",
        "# SECTION A",
        "### Section A (Views, interests and aspirations)",
        "## A: Views",
    ],
)
def test_heading_variations(heading: str) -> None:
    plan = (
        f"Intro line\n\n{heading}\n\nI like horses.\n\n## Section B: Needs\n\nB text\n"
    )
    preamble, sections = split_plan(plan)
    assert preamble.strip() == "Intro line"
    assert sections == {"A": "I like horses.", "B": "B text"}


def test_h1_h2_and_plain_h() -> None:
    plan = "## Section H1\nx\n## Section H2: other\ny\n## Section H (social care)\nz\n"
    assert split_plan_sections(plan) == {"H1": "x", "H2": "y", "H": "z"}


def test_subheadings_are_not_sections() -> None:
    plan = "## Section A: Views\n### About Maisie\nShe draws.\n### I like\nHorses\n"
    assert list(split_plan_sections(plan)) == ["A"]


def _write_case(root: Path, case: str, advice: str | None = None) -> Path:
    (root / "case.json").write_text(case)
    if advice is not None:
        (root / "advice").mkdir()
        (root / "advice" / "01.md").write_text(advice)
    return root


@pytest.mark.parametrize(
    ("case", "advice", "message"),
    [
        (None, None, "has no case.json"),
        ("{not json", None, "is not valid JSON (line 1"),
        ('{"child": {}}', None, "has no child name"),
        (
            '{"child": {"name": "A B"}, "plan_stage": "x"}',
            None,
            "plan_stage in case.json",
        ),
        ('{"child": {"name": "A B"}}', "no front matter here", "has no front matter"),
        ('{"child": {"name": "A B"}}', "---\nrole: [\n---\nbody", "is not valid YAML"),
        (
            '{"child": {"name": "A B"}}',
            "---\ntitle: x\n---\nbody",
            "has no role or reg6",
        ),
    ],
)
def test_errors_are_sentences(
    tmp_path: Path, case: str | None, advice: str | None, message: str
) -> None:
    if case is not None:
        _write_case(tmp_path, case, advice)
    with pytest.raises(CaseFolderError, match=message.replace("(", r"\(")):
        load_case_folder(tmp_path)


def test_case_json_round_trip_is_not_required(tmp_path: Path) -> None:
    _write_case(
        tmp_path, json.dumps({"child": {"name": "Sam Lee", "year_group": "Year 9"}})
    )
    folder = load_case_folder(tmp_path)
    assert folder.year_group == 9 and folder.sections == {} and folder.advice == ()
