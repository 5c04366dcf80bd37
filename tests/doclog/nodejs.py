"""Stock Yjs in Node for the validator's tests: skipped without Node, or failed
when CI sets EHCP_REQUIRE_SERVICES=1 (tests/services.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests import services

HERE = Path(__file__).resolve().parent


def node() -> str:
    """The node executable, with frontend/node_modules installed."""
    path = shutil.which("node")
    if path is None or not (services.ROOT / "frontend/node_modules/yjs").is_dir():
        services.missing("install Node.js and run `make frontend` (npm ci) for Yjs")
    assert path is not None
    return path


def run_script(name: str, stdin: str = "") -> str:
    """Run one of the .mjs scripts next to this file and return its output."""
    result = subprocess.run(  # noqa: S603 - node and our own script
        [node(), str(HERE / name)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


def yjs_apply(*updates: bytes) -> list[dict[str, Any]]:
    """Apply updates in order to one stock Yjs doc: {"ok": state} or {"error": ...} each."""
    out = run_script("yjs_apply.mjs", "".join(u.hex() + "\n" for u in updates))
    return [json.loads(line) for line in out.splitlines()]
