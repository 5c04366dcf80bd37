"""The rules assistant against the development corpus (issue #14).

The held-back cases (tests/corpus/heldback) are scored here and in
bench/assistant.py, never read or tuned on. Issue #14's bar for them is
recall >= 0.9, precision >= 0.85 and no should-not-flag passage flagged; it
does not hold yet (bench/assistant.py prints the figures, issue #14 says so),
so only the figures reached so far are kept from slipping back. The scorer
lives in ../shared/tools and the corpus in this repository: both are always
there, in CI too, so a missing one is a failure, not a skip.
"""

from __future__ import annotations

from tests.assistant.conftest import SCORER
from tests.assistant.corpus_eval import (
    case_folders,
    score_part,
    score_rewrites,
    score_wordings,
)


def test_the_scorer_and_both_parts_of_the_corpus_are_there() -> None:
    assert SCORER.is_file(), SCORER
    assert len(case_folders("heldback")) >= 12
    assert len(case_folders("tuning")) >= 12


def test_heldback_does_not_slip_back() -> None:
    s = score_part("heldback")
    assert s.cases >= 12
    assert s.recall >= 0.72, s.recall
    assert s.precision >= 0.70, s.precision


def test_tuning_cases() -> None:
    s = score_part("tuning")
    assert s.recall >= 0.85 and s.precision >= 0.85, (s.recall, s.precision)
    assert s.should_not_flag_hits == 0


def test_wordings_vague_flagged_and_specific_passed() -> None:
    w = score_wordings()
    assert w.vague + w.specific >= 150
    assert w.vague_rate >= 0.95, [x["text"] for x in w.wrong if x["label"] == "vague"]
    assert w.specific_rate <= 0.05, [
        (x["text"], x["message"]) for x in w.wrong if x["label"] == "specific"
    ]


def test_rewrites_keep_every_fact_and_read_as_sentences() -> None:
    r = score_rewrites()
    assert r.paragraphs >= 24
    assert not r.lost
    assert not r.ungrammatical
    # Issue #14 asks for +10 on average; the rewriter reaches about +5 so far.
    assert r.ease_gain >= 4.5, r.ease_gain
    assert r.age_drop > 0
