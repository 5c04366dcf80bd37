"""Every update in tests/fuzz/yupdate/ gets the outcome its README row names,
quickly, and never an exception other than InvalidUpdate; the accepted ones
apply in pycrdt (in a child process) without a panic, a crash or a drift, and
load in stock Yjs.
"""

from __future__ import annotations

import re
import time

import pytest

from portal.doclog.yupdate import (
    DocIndex,
    InvalidUpdate,
    MissingDependency,
    advance,
    check_update,
)
from tests.doclog.nodejs import node
from tests.fuzz.yfuzz import CORPUS, Case, check_cases

ROW = re.compile(r"^\| `([^`]+\.hex)` \| (accept|refuse|missing) \| (.+) \|$", re.M)
EXPECTED: dict[str, str] = {
    m[1]: m[2] for m in ROW.finditer((CORPUS / "README.md").read_text())
}
FILES = sorted(p.name for p in CORPUS.glob("*.hex"))


def load(name: str) -> Case:
    return Case.from_text((CORPUS / name).read_text())


def outcome(case: Case) -> str:
    """Check the case against the document its base builds: accept, refuse or missing."""
    state: dict[int, int] = {}
    index = DocIndex()
    for part in case.base:
        advance(state, check_update(part, state, index=index), index)
    try:
        check_update(case.update, state, index=index)
    except MissingDependency:
        return "missing"
    except InvalidUpdate:
        return "refuse"
    return "accept"


def test_readme_describes_every_file() -> None:
    assert sorted(EXPECTED) == FILES
    assert len(FILES) >= 50


@pytest.mark.parametrize("name", FILES)
def test_corpus_file_gets_its_outcome_quickly(name: str) -> None:
    case = load(name)
    start = time.perf_counter()
    result = outcome(case)
    assert time.perf_counter() - start < 0.5
    assert result == EXPECTED[name]


def test_accepted_corpus_files_apply_in_pycrdt() -> None:
    accepted = [load(name) for name in FILES if EXPECTED[name] == "accept"]
    report = check_cases(accepted)
    assert report.accepted == len(accepted)
    assert not report.bad, report.bad
    assert not report.errors, report.errors


def test_accepted_corpus_files_load_in_stock_yjs() -> None:
    accepted = [load(name) for name in FILES if EXPECTED[name] == "accept"]
    report = check_cases(accepted, node=node())
    assert not report.yjs, report.yjs
