"""The rules backend against every case folder's answer key, scored by the shared scorer."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from portal.assistant import CaseMaterial, get_assistant
from portal.casefolder import load_case_folder
from tests.assistant.conftest import OWN_CASES, SCORER, case_dirs

MIN_RECALL = 0.8
MIN_PRECISION = 0.7


def score(case_dir: Path, tmp_path: Path) -> dict:
    material = CaseMaterial.from_case_folder(load_case_folder(case_dir))
    findings = [f.to_dict() for f in get_assistant("rules").check(material)]
    out = tmp_path / f"{case_dir.name}.json"
    out.write_text(json.dumps(findings))
    result = subprocess.run(
        [sys.executable, str(SCORER), str(case_dir), str(out), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_own_cases_cover_the_required_variety() -> None:
    cases = [
        json.loads((p / "case.json").read_text())
        for p in OWN_CASES.iterdir()
        if (p / "case.json").is_file()
    ]
    assert len(cases) >= 3
    stages = {c["plan_stage"] for c in cases}
    assert "final_for_issue" in stages
    years = [c["child"]["year_group"] for c in cases]
    assert any(y.startswith("Year") and int(y.split()[1]) >= 9 for y in years)


@pytest.mark.skipif(not SCORER.is_file(), reason=f"scorer not found at {SCORER}")
@pytest.mark.parametrize("case_dir", case_dirs(), ids=lambda p: p.name)
def test_rules_backend_meets_the_bar(case_dir: Path, tmp_path: Path) -> None:
    result = score(case_dir, tmp_path)
    detail = json.dumps({k: result[k] for k in ("missed", "false_positives")}, indent=1)
    assert result["recall"] >= MIN_RECALL, detail
    assert result["precision"] >= MIN_PRECISION, detail
    assert result["should_not_flag_hits"] == 0, detail


@pytest.mark.parametrize("case_dir", case_dirs(), ids=lambda p: p.name)
def test_every_quote_is_exact_plan_text(case_dir: Path) -> None:
    folder = load_case_folder(case_dir)
    for finding in get_assistant("rules").check(CaseMaterial.from_case_folder(folder)):
        if finding.kind == "vague_advice_recommendation":
            assert any(finding.quote in a.body for a in folder.advice), finding
        elif finding.quote:
            assert finding.quote in folder.plan_markdown, finding
