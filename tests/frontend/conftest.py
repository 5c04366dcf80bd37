"""Fixtures for the front-end checks: the Node toolchain and installed packages."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
STATIC = ROOT / "portal" / "static"


def missing(reason: str) -> None:
    """Skip, or fail when CI asks for every service (EHCP_REQUIRE_SERVICES=1)."""
    if os.environ.get("EHCP_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (EHCP_REQUIRE_SERVICES=1 is set, so this is a failure)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def node() -> str:
    """The node executable, with frontend/node_modules installed."""
    path = shutil.which("node")
    if not path:
        missing(
            "install Node.js 20+ and run `make frontend` (npm ci) to check the bundle"
        )
    if not (FRONTEND / "node_modules" / "esbuild").is_dir():
        missing("run `make frontend` (npm ci) to check the bundle")
    return str(path)
