"""Time a data-protection export (ZIP) and an erasure of a case of 20 documents.

    .venv/bin/python bench/data_protection.py [--runs 3] [--edits 50]
        [--database-url postgresql://postgres@127.0.0.1:5432/postgres]

Each run builds a fresh case (tests/full_case.py: 20 advice documents, one of
them asked of an invited professional, and the
12 plan sections, each advice with `--edits` updates in its log, plus a
snapshot, a version, a picture, a voice note, passages and invitations), then
times `export_case` (summarising the update log into the audit trail, reading
every document and writing the ZIP) and `erase_case` (deleting every row of
the case, and committing). SQLite in a temporary folder by default; with
--database-url a throwaway database on that PostgreSQL server, dropped after.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from portal.app import create_app  # noqa: E402
from portal.config import Settings  # noqa: E402
from portal.doclog import appending  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.models import Document  # noqa: E402
from portal.services import case_export, erasure  # noqa: E402
from tests.factories import Factory  # noqa: E402
from tests.full_case import ADVICE, build  # noqa: E402


@contextmanager
def database(url: str | None) -> Iterator[str]:
    """A SQLAlchemy URL for an empty database that is removed afterwards."""
    if url is None:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.sqlite3"
        return
    name = f"bench_dp_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        base = url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def one_run(session: Session, edits: int) -> tuple[float, float, int, int]:
    """Seconds to export and to erase a fresh case; ZIP bytes; rows erased."""
    full = build(Factory(session), session, documents_wanted=18)
    advice = session.scalars(
        select(Document).where(
            Document.case_id == full.case.id, Document.kind == "advice"
        )
    ).all()
    assert len(advice) == 20, len(advice)
    for doc in advice:
        for n in range(edits):
            appending.set_text(session, doc, f"{ADVICE}\n\nEdit {n}.", full.therapist)
    session.commit()
    started = time.perf_counter()
    body = case_export.export_case(session, full.case)
    session.commit()
    exported = time.perf_counter() - started
    started = time.perf_counter()
    erased = erasure.erase_case(session, full.case, full.caseworker)
    session.commit()
    erase_time = time.perf_counter() - started
    return exported, erase_time, len(body), sum(erased.rows.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--edits", type=int, default=50)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with database(args.database_url) as uri:
        settings = Settings.from_env({"SECRET_KEY": "bench"})
        app = create_app(
            {"TESTING": True, "SQLALCHEMY_DATABASE_URI": uri, "SETTINGS": settings}
        )
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            session = Session(db.engine, expire_on_commit=False)
            runs = [one_run(session, args.edits) for _ in range(args.runs)]
            session.close()
            db.engine.dispose()
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"{backend}: a case of 20 advice documents + 12 plan sections, "
        f"{args.edits} edits each, {args.runs} runs"
    )
    exports = [r[0] * 1000 for r in runs]
    erases = [r[1] * 1000 for r in runs]
    print(
        f"export: median {statistics.median(exports):.0f} ms "
        f"(max {max(exports):.0f} ms), ZIP {runs[-1][2] / 1024:.0f} KiB"
    )
    print(
        f"erase:  median {statistics.median(erases):.0f} ms "
        f"(max {max(erases):.0f} ms), {runs[-1][3]} rows"
    )


if __name__ == "__main__":
    main()
