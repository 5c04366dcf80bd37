"""Fuzzing the Yjs update validator: seeds, mutators, a generator, a pycrdt child.

Inputs come two ways. `mutate` damages real updates byte by byte (flips,
inserts, deletes, splices of huge var uints). `generate` writes well-formed
updates with hostile choices (clocks at the edges of the state, references to
unknown or non-type content, every content kind, deep values, odd parents), which
reach past the decoder into the dependency rules. Everything `check_update`
accepts is applied to pycrdt in a child process (`pycrdt_child`), so a native
crash fails a test instead of killing pytest.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from portal.doclog.yupdate import (
    DocIndex,
    InvalidUpdate,
    Limits,
    advance,
    check_update,
    decode_state_vector,
)
from tests.doclog import yencode as y
from tests.doclog.pycrdt_edits import HISTORIES
from tests.fuzz.ygenerate import generate

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "yupdate"
HUGE = (2**31 - 1, 2**31, 2**32 - 2, 2**32, 2**53 - 1, 2**53, 2**64, 2**70)


@dataclass(frozen=True)
class Case:
    """An update and the updates that build the document it is applied to."""

    base: tuple[bytes, ...]
    update: bytes

    def to_text(self) -> str:
        """The corpus file form: one hex update per line, the last is the case."""
        return "".join(part.hex() + "\n" for part in (*self.base, self.update))

    @classmethod
    def from_text(cls, text: str) -> Case:
        parts = [bytes.fromhex(line) for line in text.split()]
        return cls(tuple(parts[:-1]), parts[-1])


@dataclass(frozen=True)
class Outcome:
    """What pycrdt did with a case: "ok", "error", "panic" or "crash" (a signal).

    For "ok", `detail` is the state vector (hex) and `reloaded` that of the
    document re-encoded and loaded again.
    """

    kind: str
    detail: str = ""
    reloaded: str = ""


@dataclass
class Report:
    """What one fuzz round found; `bad` lists anything that should fail a test."""

    checked: int = 0
    accepted: int = 0
    refusals: dict[str, int] = field(default_factory=dict)
    errors: list[tuple[Case, str]] = field(default_factory=list)  # pycrdt refused
    yjs: list[tuple[Case, str]] = field(default_factory=list)  # Yjs failed or differs
    bad: list[tuple[Case, str]] = field(default_factory=list)

    def merge(self, other: Report) -> None:
        self.checked += other.checked
        self.accepted += other.accepted
        for message, count in other.refusals.items():
            self.refusals[message] = self.refusals.get(message, 0) + count
        self.errors += other.errors
        self.yjs += other.yjs
        self.bad += other.bad


def state_of(
    base: Iterable[bytes], limits: Limits | None = None
) -> tuple[dict[int, int], DocIndex]:
    """The state vector and index after `base`, each part checked as it is applied."""
    state: dict[int, int] = {}
    index = DocIndex()
    for part in base:
        advance(
            state, check_update(part, state, limits or Limits(), index=index), index
        )
    return state, index


def _lines(cases: Sequence[Case]) -> str:
    return "".join(
        json.dumps({"base": [b.hex() for b in c.base], "update": c.update.hex()}) + "\n"
        for c in cases
    )


def apply_in_yjs(
    node: str, cases: Sequence[Case], timeout: float = 120
) -> list[Outcome]:
    """Apply each case to stock Yjs in Node (tests/fuzz/yjs_child.mjs)."""
    proc = subprocess.run(  # noqa: S603 - node and our own script
        [node, str(Path(__file__).with_name("yjs_child.mjs"))],
        input=_lines(cases),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    return [_outcome(json.loads(line)) for line in proc.stdout.splitlines()]


def apply_in_child(cases: Sequence[Case], timeout: float = 120) -> list[Outcome]:
    """Apply each case in a pycrdt child process, restarting it after a crash."""
    outcomes: list[Outcome] = []
    env = {**os.environ, "RUST_BACKTRACE": "0", "PYTHONPATH": str(ROOT)}
    while len(outcomes) < len(cases):
        proc = subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "tests.fuzz.pycrdt_child"],
            input=_lines(cases[len(outcomes) :]),
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=timeout,
            check=False,
        )
        outcomes += [_outcome(json.loads(line)) for line in proc.stdout.splitlines()]
        if proc.returncode < 0:
            outcomes.append(Outcome("crash", f"killed by signal {-proc.returncode}"))
        elif proc.returncode not in (0, 3):
            raise RuntimeError(f"pycrdt child failed: {proc.stderr[-2000:]}")
    return outcomes


def _outcome(result: dict[str, str]) -> Outcome:
    kind = next(iter(result))
    return Outcome(kind, result[kind], result.get("reloaded", ""))


def check_cases(
    cases: Sequence[Case], limits: Limits | None = None, node: str | None = None
) -> Report:
    """Run cases through check_update, then apply the accepted ones in a child.

    With `node`, the accepted ones are also loaded by stock Yjs, as a browser would.
    """
    report = Report()
    accepted: list[tuple[Case, dict[int, int]]] = []
    for case in cases:
        report.checked += 1
        try:
            state, index = state_of(case.base, limits)
            summary = check_update(case.update, state, limits or Limits(), index=index)
        except InvalidUpdate as exc:
            report.refusals[str(exc)] = report.refusals.get(str(exc), 0) + 1
            continue
        except BaseException:  # anything but InvalidUpdate is a validator bug
            report.bad.append((case, traceback.format_exc(limit=3)))
            continue
        advance(state, summary)
        accepted.append((case, state))
    report.accepted = len(accepted)
    outcomes = apply_in_child([case for case, _ in accepted])
    for (case, state), outcome in zip(accepted, outcomes, strict=True):
        _judge(report, case, state, outcome)
    if node is not None:
        outcomes = apply_in_yjs(node, [case for case, _ in accepted])
        for (case, state), outcome in zip(accepted, outcomes, strict=True):
            if outcome.kind != "ok":
                report.yjs.append((case, outcome.detail))
            elif decode_state_vector(bytes.fromhex(outcome.detail)) != state:
                report.yjs.append(
                    (case, f"Yjs state {outcome.detail}, expected {state}")
                )
    return report


def _judge(report: Report, case: Case, state: dict[int, int], outcome: Outcome) -> None:
    if outcome.kind in ("panic", "crash"):
        report.bad.append((case, f"pycrdt {outcome.kind}: {outcome.detail}"))
        return
    if outcome.kind == "error":
        report.errors.append((case, outcome.detail))
        return
    applied = decode_state_vector(bytes.fromhex(outcome.detail))
    if applied != state:
        report.bad.append((case, f"state differs: pycrdt {applied}, expected {state}"))
    elif decode_state_vector(bytes.fromhex(outcome.reloaded)) != applied:
        report.bad.append((case, f"reloaded state differs: {outcome.reloaded}"))


# Seeds: real updates from pycrdt (tests/doclog/pycrdt_edits.py).


def seed_histories() -> list[list[bytes]]:
    """Edit histories made by pycrdt, with fixed client ids so runs repeat."""
    return [make() for make in HISTORIES.values()]


def seed_cases(histories: Sequence[Sequence[bytes]]) -> list[Case]:
    """Every prefix of every history as a base, the next update as the case."""
    return [Case(tuple(h[:i]), h[i]) for h in histories for i in range(len(h))]


# Byte-level mutation.


def mutate(rng: random.Random, data: bytes) -> bytes:
    """Damage `data` with one to three random edits."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        rng.choice(_MUTATIONS)(rng, out)
    return bytes(out)


def _flip(rng: random.Random, out: bytearray) -> None:
    if out:
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)


def _set_byte(rng: random.Random, out: bytearray) -> None:
    if out:
        out[rng.randrange(len(out))] = rng.choice(
            (0, 1, 0x7F, 0x80, 0xFF, rng.randrange(256))
        )


def _insert(rng: random.Random, out: bytearray) -> None:
    at = rng.randrange(len(out) + 1)
    out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 4)))


def _delete(rng: random.Random, out: bytearray) -> None:
    if out:
        at = rng.randrange(len(out))
        del out[at : at + rng.randint(1, 4)]


def _splice_var_uint(rng: random.Random, out: bytearray) -> None:
    """Replace the var uint at a random position with a huge or edge value."""
    at = rng.randrange(len(out) + 1)
    end = at
    while end < len(out) and out[end] >= 0x80:
        end += 1
    value = rng.choice((*HUGE, 0, 1, rng.randrange(2**40)))
    out[at : min(end + 1, len(out))] = y.var_uint(value)


def _duplicate(rng: random.Random, out: bytearray) -> None:
    if out:
        at = rng.randrange(len(out))
        piece = out[at : at + rng.randint(1, 16)]
        where = rng.randrange(len(out) + 1)
        out[where:where] = piece


_MUTATIONS = (_flip, _set_byte, _insert, _delete, _splice_var_uint, _duplicate)


def fuzz_cases(rng: random.Random, seeds: Sequence[Case], count: int) -> list[Case]:
    """`count` cases: mutated seeds, and generated updates one or two deep."""
    states = {seed.base: state_of(seed.base)[0] for seed in seeds}
    cases: list[Case] = []
    while len(cases) < count:
        seed = rng.choice(seeds)
        if rng.random() < 0.4:
            cases.append(Case(seed.base, mutate(rng, seed.update)))
            continue
        state = dict(states[seed.base])
        first = generate(rng, state)
        if rng.random() < 0.2:
            first = mutate(rng, first)
        cases.append(Case(seed.base, first))
        try:
            advance(state, check_update(first, state))
        except Exception:  # noqa: BLE001 - check_cases reports anything unexpected
            continue
        cases.append(Case((*seed.base, first), generate(rng, state)))
    return cases[:count]
