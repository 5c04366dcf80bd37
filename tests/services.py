"""Which real services the tests may use, and skip-or-fail when one is missing.

Tests that need PostgreSQL, Redis, Node packages or Chromium run when these
are available and are skipped otherwise, with a reason saying what to set or
install. With EHCP_REQUIRE_SERVICES=1 (CI sets it) a missing one fails instead.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
REQUIRED = os.environ.get("EHCP_REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or ""


def missing(reason: str) -> None:
    """Skip the test with a reason, or fail it when services are required."""
    if REQUIRED:
        pytest.fail(f"{reason} (EHCP_REQUIRE_SERVICES=1 is set, so this is a failure)")
    pytest.skip(reason)


def postgres_url() -> str:
    """The PostgreSQL server URL, or skip/fail."""
    if not DATABASE_URL.startswith("postgresql"):
        missing("set DATABASE_URL=postgresql://… to run this against PostgreSQL")
    return DATABASE_URL


def redis_url() -> str:
    """The Redis URL, or skip/fail."""
    if not REDIS_URL:
        missing("set REDIS_URL=redis://127.0.0.1:6379/0 to run this against Redis")
    return REDIS_URL


def chromium_path() -> str:
    """Debian's Chromium, or skip/fail."""
    if not CHROMIUM:
        missing(
            "install Debian's chromium (apt-get install chromium) for browser tests"
        )
    return CHROMIUM


def pg_admin(url: str) -> psycopg.Connection[Any]:
    """An autocommit connection to the server in `url`, for CREATE/DROP DATABASE."""
    u = make_url(url)
    return psycopg.connect(
        host=u.host or "127.0.0.1",
        port=u.port or 5432,
        user=u.username or "postgres",
        password=u.password,
        dbname=u.database or "postgres",
        autocommit=True,
    )


def pg_uri(url: str, name: str) -> str:
    """`url` pointing at database `name`, with the psycopg 3 driver."""
    u = make_url(url).set(drivername="postgresql+psycopg", database=name)
    return u.render_as_string(hide_password=False)
