"""Apply Yjs updates and render Markdown in a child process, one case per line.

Run by tests/fuzz/test_yupdate_properties.py (`python -m
tests.fuzz.markdown_child`), never in the test process: a native crash ends
this process, not pytest. As `pycrdt_child`, but the document's Markdown
(`portal.docmodel.markdown_of`, what versions, exports and the assistant
read) is computed too, before the document is saved, reloaded and deleted.

Input, one JSON object per line: {"base": [hex, ...], "update": hex}. Output,
one JSON object per line: {"ok": state hex, "reloaded": state hex, "markdown":
its length} or {"error": text} or {"panic": text} (then this process exits).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from pycrdt import Doc

from portal.docmodel import markdown_of
from tests.fuzz.pycrdt_child import _exercise


def run_case(case: dict[str, object]) -> dict[str, object]:
    """Apply one case, render it, and say how it went."""
    doc: Doc[Any] = Doc()
    base = case["base"]
    assert isinstance(base, list)
    try:
        for part in base:
            doc.apply_update(bytes.fromhex(part))
        doc.apply_update(bytes.fromhex(str(case["update"])))
    except Exception as exc:  # a refusal by yrs: not a crash, but still reported
        return {"error": f"apply: {type(exc).__name__}: {exc}"[:300]}
    state = doc.get_state().hex()
    try:
        markdown = markdown_of(doc)
    except Exception as exc:
        return {"error": f"markdown_of: {type(exc).__name__}: {exc}"[:300]}
    try:
        reloaded = _exercise(doc)
    except Exception as exc:
        return {"error": f"after apply: {type(exc).__name__}: {exc}"[:300]}
    return {"ok": state, "reloaded": reloaded, "markdown": len(markdown)}


def main() -> None:
    for line in sys.stdin:
        try:
            result = run_case(json.loads(line))
        except BaseException as exc:  # pyo3's PanicException is a BaseException
            print(json.dumps({"panic": f"{type(exc).__name__}: {exc}"[:300]}))
            sys.stdout.flush()
            sys.exit(3)  # a panicked yrs may be left inconsistent
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
