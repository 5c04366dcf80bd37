"""Fuzz the Yjs update validator for a while; print and save what gets through.

Run from the repository root:

    .venv/bin/python -m tests.fuzz.run_yupdate_fuzz --seconds 600
    .venv/bin/python -m tests.fuzz.run_yupdate_fuzz --seconds 600 --seed 7 --yjs --save

Each round builds 500 cases (mutated real updates and generated hostile ones,
tests/fuzz/yfuzz.py) with its own seed, checks them with check_update and
applies what passes to pycrdt in a child process (and, with --yjs, to stock
Yjs in Node). Anything that makes pycrdt panic or crash, leaves a state vector
other than `advance` predicts, reloads differently, or that pycrdt or Yjs then
refuses, is a validator bug: it is printed, and with --save written to
tests/fuzz/yupdate/found-<digest>.hex (then describe it in the README there
and tighten the validator). Exits 1 when anything was found.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import sys
import time

from tests.fuzz.yfuzz import (
    CORPUS,
    Case,
    Report,
    check_cases,
    fuzz_cases,
    seed_cases,
    seed_histories,
)


def main() -> int:
    """Run rounds until the time is up; return the exit status."""
    args = _parse()
    node = shutil.which("node") if args.yjs else None
    if args.yjs and node is None:
        sys.exit("--yjs needs node on PATH and `make frontend` (npm ci)")
    seeds = seed_cases(seed_histories())
    total, rounds = Report(), 0
    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline:
        rng = random.Random(args.seed * 1_000_003 + rounds)
        total.merge(check_cases(fuzz_cases(rng, seeds, 500), node=node))
        rounds += 1
    _print(total, rounds, args.seconds)
    found = [*total.bad, *total.errors, *total.yjs]
    if args.save:
        for case, _why in found:
            _save(case)
    return 1 if found else 0


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--yjs", action="store_true", help="also load in stock Yjs")
    parser.add_argument(
        "--save", action="store_true", help="write findings to the corpus"
    )
    return parser.parse_args()


def _print(report: Report, rounds: int, seconds: float) -> None:
    print(
        f"{rounds} rounds in {seconds:.0f} s: {report.checked} checked, "
        f"{report.accepted} accepted and applied"
    )
    for message, count in sorted(report.refusals.items(), key=lambda x: -x[1]):
        print(f"  {count:7} refused: {message}")
    for label, found in (
        ("BAD (crash, panic or state)", report.bad),
        ("pycrdt refused after the validator accepted", report.errors),
        ("Yjs failed or differs", report.yjs),
    ):
        print(f"{label}: {len(found)}")
        for case, why in found[:20]:
            print(f"  {why}\n{case.to_text()}")


def _save(case: Case) -> None:
    digest = hashlib.sha256(case.to_text().encode()).hexdigest()[:12]
    path = CORPUS / f"found-{digest}.hex"
    path.write_text(case.to_text())
    print(f"saved {path}")


if __name__ == "__main__":
    sys.exit(main())
