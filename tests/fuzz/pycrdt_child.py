"""Apply Yjs updates to pycrdt documents in a child process, one case per line.

Run by tests/fuzz/yfuzz.py (`python -m tests.fuzz.pycrdt_child`), never in the
test process: a native crash ends this process, and the parent knows which case
did it from the number of result lines it got.

Input, one JSON object per line: {"base": [hex, ...], "update": hex}. The base
updates build the document; then the update is applied, and the document is
re-encoded and reloaded, rendered (`str` of every root) and wholly deleted, so
content that only crashes later (deep nesting) shows up here too. Output, one
JSON object per line: {"ok": state hex, "reloaded": the reloaded copy's state
hex} or {"error": text} or {"panic": text}.
"""

from __future__ import annotations

import json
import sys

from pycrdt import Doc

from tests.doclog.yencode import update as encode_update


def _decode_state(data: bytes) -> dict[int, int]:
    """A state vector decoded here, not by the validator this process checks."""
    numbers, num, shift = [], 0, 0
    for byte in data:
        num |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            numbers.append(num)
            num = shift = 0
    return dict(zip(numbers[1::2], numbers[2::2], strict=True))


def _exercise(doc: Doc) -> str:
    """What a room does with a document later: save, reload, render, delete.

    Returns the reloaded copy's state vector, which should equal the document's.
    """
    reloaded: Doc = Doc()
    reloaded.apply_update(doc.get_update())
    for root in doc.values():
        str(root)
    state = _decode_state(doc.get_state())
    delete_all = encode_update([], {c: [(0, clock)] for c, clock in state.items()})
    doc.apply_update(delete_all)
    return str(reloaded.get_state().hex())


def run_case(case: dict[str, object]) -> dict[str, str]:
    """Apply one case and say how it went."""
    doc: Doc = Doc()
    base = case["base"]
    assert isinstance(base, list)
    try:
        for part in base:
            doc.apply_update(bytes.fromhex(part))
    except Exception as exc:
        return {"error": f"base: {type(exc).__name__}: {exc}"[:300]}
    try:
        doc.apply_update(bytes.fromhex(str(case["update"])))
    except Exception as exc:  # a refusal by yrs: not a crash
        return {"error": f"{type(exc).__name__}: {exc}"[:300]}
    state = doc.get_state().hex()
    try:
        reloaded = _exercise(doc)
    except Exception as exc:
        return {"error": f"after apply: {type(exc).__name__}: {exc}"[:300]}
    return {"ok": state, "reloaded": reloaded}


def main() -> None:
    for line in sys.stdin:
        try:
            result = run_case(json.loads(line))
        except BaseException as exc:  # pyo3's PanicException is a BaseException
            print(json.dumps({"panic": f"{type(exc).__name__}: {exc}"[:300]}))
            sys.stdout.flush()
            sys.exit(3)  # a panicked yrs may be left inconsistent: start afresh
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
