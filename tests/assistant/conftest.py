"""Fixtures for the assistant tests: case folders and the fake model server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.assistant.fake_openai import FakeOpenAI

HERE = Path(__file__).parent
SHARED = Path(os.environ.get("EHCP_SHARED", "/work/shared"))
SCORER = SHARED / "tools" / "score_findings.py"
OWN_CASES = HERE / "cases"


def case_dirs() -> list[Path]:
    """Every case folder with an answer key: ours, the shared examples, and any
    folders named in EHCP_CASES (os.pathsep-separated), such as a hidden set."""
    extra = [Path(p) for p in os.environ.get("EHCP_CASES", "").split(os.pathsep) if p]
    roots = [OWN_CASES, SHARED / "examples", *extra]
    return sorted(
        p
        for root in roots
        if root.is_dir()
        for p in root.iterdir()
        if (p / "case.json").is_file() and (p / "expected.json").is_file()
    )


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A chat-completions server on an unused loopback port."""
    with FakeOpenAI() as server:
        yield server
