"""`flask assistant check` and `flask assistant rewrite`."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from flask import Flask

from portal.assistant import init_app
from portal.assistant.cli import assistant_cli
from tests.assistant.conftest import OWN_CASES


def test_check_prints_findings_as_json() -> None:
    result = CliRunner().invoke(
        assistant_cli, ["check", str(OWN_CASES / "case05_lily"), "--json"]
    )
    assert result.exit_code == 0, result.output
    findings = json.loads(result.output)
    assert findings and set(findings[0]) == {
        "section",
        "kind",
        "severity",
        "message",
        "quote",
    }
    assert {"missing_placement", "missing_advice"} <= {f["kind"] for f in findings}


def test_check_names_advice_by_its_title_and_author() -> None:
    result = CliRunner().invoke(
        assistant_cli, ["check", str(OWN_CASES / "case03_ayaan"), "--json"]
    )
    assert result.exit_code == 0, result.output
    missed = [
        f["message"]
        for f in json.loads(result.output)
        if f["kind"] == "advice_recommendation_not_in_plan"
    ]
    ot = "Medical advice - occupational therapy (Nadia Rahman, Occupational Therapist"
    assert any(f"This recommendation from {ot}" in m for m in missed), missed
    assert not any("advice/" in m for m in missed)


def test_check_readable_output() -> None:
    result = CliRunner().invoke(
        assistant_cli, ["check", str(OWN_CASES / "case05_lily")]
    )
    assert result.exit_code == 0
    assert "[high] Section I missing_placement" in result.output


def test_check_reports_a_bad_folder_clearly(tmp_path: Path) -> None:
    result = CliRunner().invoke(assistant_cli, ["check", str(tmp_path)])
    assert result.exit_code == 1
    assert "has no case.json" in result.output


def test_rewrite_prints_suggestions(tmp_path: Path) -> None:
    file = tmp_path / "f.md"
    file.write_text("In order to help, the TA will utilise pictures.\n")
    result = CliRunner().invoke(assistant_cli, ["rewrite", str(file), "--json"])
    assert result.exit_code == 0, result.output
    swaps = {(s["original"], s["replacement"]) for s in json.loads(result.output)}
    assert ("utilise", "use") in swaps and ("In order to", "To") in swaps
    readable = CliRunner().invoke(assistant_cli, ["rewrite", str(file)])
    assert "Flesch reading ease" in readable.output


def test_openai_backend_without_a_model_still_answers(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        assistant_cli,
        ["check", str(OWN_CASES / "case03_ayaan"), "--backend", "openai", "--json"],
    )
    assert result.exit_code == 0
    assert "could not reach the model" in result.stderr
    assert json.loads(result.stdout)


def test_init_app_registers_the_group() -> None:
    app = Flask(__name__)
    init_app(app)
    result = app.test_cli_runner().invoke(
        args=["assistant", "check", str(OWN_CASES / "case04_jordan"), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)
