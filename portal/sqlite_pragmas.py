"""SQLite settings for the embedded default (`make run`, tests).

Write-ahead logging lets pages read while the editor commits, and costs one
fsync per commit instead of the rollback journal's several; synchronous
stays FULL, so an acknowledged edit survives a crash or power cut. Foreign
keys are enforced, as PostgreSQL does.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


@event.listens_for(Engine, "connect")
def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
