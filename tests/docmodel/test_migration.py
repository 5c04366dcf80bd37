"""Documents written as Markdown text move into the body without loss."""

from __future__ import annotations

from flask import Flask
from flask_migrate import downgrade, upgrade
from pycrdt import Doc, Text, XmlFragment
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.doclog import reading
from portal.models import Document, DocUpdate
from tests.conftest import MIGRATIONS

BEFORE_BODY = "8c1d2e3f4a5b"


def _as_legacy(dbs: Session, doc: Document, text: str) -> None:
    """Rewrite a document's log as the old editor left it: Markdown in `content`."""
    old: Doc = Doc()
    old.get("content", type=Text).insert(0, text)
    dbs.execute(delete(DocUpdate).where(DocUpdate.document_id == doc.id))
    dbs.add(DocUpdate(document_id=doc.id, seq=1, data=old.get_update(), checked=False))


def test_demo_documents_read_back_identically_after_the_move(
    runner, app: Flask, dbs: Session
) -> None:
    assert runner.invoke(args=["demo"]).exit_code == 0
    docs = list(dbs.scalars(select(Document).order_by(Document.id)))
    written = {doc.id: reading.document_text(dbs, doc.id) for doc in docs}
    assert sum(1 for text in written.values() if text.strip()) >= 10
    for doc in docs:
        if written[doc.id]:
            _as_legacy(dbs, doc, written[doc.id])
    dbs.commit()
    dbs.close()

    with app.app_context():
        downgrade(directory=MIGRATIONS, revision=BEFORE_BODY)
        upgrade(directory=MIGRATIONS)

    for doc in docs:
        ydoc = reading.load(dbs, doc.id).ydoc
        assert reading.text_of(ydoc) == written[doc.id], doc.title
        if written[doc.id]:
            # Moved, not merely read through: the words live in the body now,
            # and the old text is empty so it cannot come back.
            assert len(ydoc.get("body", type=XmlFragment).children) > 0
            assert str(ydoc.get("content", type=Text)) == ""
    # Running it again changes nothing.
    rows = dbs.scalar(select(DocUpdate.id).order_by(DocUpdate.id.desc()).limit(1))
    with app.app_context():
        downgrade(directory=MIGRATIONS, revision=BEFORE_BODY)
        upgrade(directory=MIGRATIONS)
    assert (
        dbs.scalar(select(DocUpdate.id).order_by(DocUpdate.id.desc()).limit(1)) == rows
    )
