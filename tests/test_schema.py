"""The migrated schema matches the models, on SQLite and on PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from portal.extensions import db
from portal.models import Base


def test_migrations_produce_the_models_schema(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
        tables = set(db.inspect(conn).get_table_names())
    assert diff == []
    assert {"case", "person", "membership", "document", "doc_update"} <= tables
