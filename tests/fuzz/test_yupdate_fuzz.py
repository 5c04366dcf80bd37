"""A short seeded fuzz round: mutated and generated updates against pycrdt.

check_update may only ever raise InvalidUpdate, and whatever it accepts must
apply in pycrdt (in a child process) without a panic or a crash, leave the
state vector `advance` predicts, and reload to the same state. Longer runs:
tests/fuzz/run_yupdate_fuzz.py.
"""

from __future__ import annotations

import random

import pytest

from tests.doclog.nodejs import node
from tests.fuzz.yfuzz import check_cases, fuzz_cases, seed_cases, seed_histories


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fuzz_round_finds_nothing_the_validator_lets_through(seed: int) -> None:
    seeds = seed_cases(seed_histories())
    report = check_cases(fuzz_cases(random.Random(seed), seeds, 4000))
    assert not report.bad, "\n\n".join(f"{why}\n{c.to_text()}" for c, why in report.bad)
    assert not report.errors, report.errors[:3]
    # The round must reach pycrdt, not only the decoder's refusals.
    assert report.accepted > report.checked // 20
    assert len(report.refusals) >= 8


def test_fuzz_round_loads_in_stock_yjs() -> None:
    seeds = seed_cases(seed_histories())
    report = check_cases(fuzz_cases(random.Random(4), seeds, 3000), node=node())
    assert not report.bad, report.bad[:3]
    assert not report.yjs, "\n\n".join(f"{why}\n{c.to_text()}" for c, why in report.yjs)
    assert report.accepted > report.checked // 20
