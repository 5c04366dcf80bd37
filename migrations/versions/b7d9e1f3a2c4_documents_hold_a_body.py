"""Documents hold a body for the families' editor: move old Markdown text into it

Revision ID: b7d9e1f3a2c4
Revises: 8c1d2e3f4a5b
Create Date: 2026-12-04 17:30:00.000000

Each document's Yjs state gets one more update that moves its Markdown from
the old `Y.Text` named `content` into the `XmlFragment` named `body` the
ProseMirror editor edits (`portal.docmodel`). Nothing is deleted from the
log: the old text stays in the history and every earlier version is kept.
Run it with the portal stopped: a live room would not see the new row until
it reloads the document.
"""

from datetime import datetime, timezone
import logging

from alembic import op
import sqlalchemy as sa
from pycrdt import Doc

from portal import docmodel

# revision identifiers, used by Alembic.
revision = "b7d9e1f3a2c4"
down_revision = "8c1d2e3f4a5b"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def _state(bind, doc_id):
    """The document as its log has it, or None if the log cannot be applied
    (then the document is left as it was and still reads as its old text)."""
    ydoc = Doc()
    snapshot = bind.execute(
        sa.text("SELECT upto_seq, data FROM doc_snapshot WHERE document_id = :d"),
        {"d": doc_id},
    ).first()
    upto = 0
    try:
        if snapshot is not None:
            upto = snapshot.upto_seq
            ydoc.apply_update(bytes(snapshot.data))
        rows = bind.execute(
            sa.text(
                "SELECT data FROM doc_update WHERE document_id = :d AND seq > :s"
                " AND quarantined_at IS NULL ORDER BY seq"
            ),
            {"d": doc_id, "s": upto},
        )
        for row in rows:
            ydoc.apply_update(bytes(row.data))
    except Exception:  # noqa: BLE001 - one bad document must not stop the rest
        log.warning("document %s: its log could not be applied; left as it was", doc_id)
        return None
    return ydoc


def upgrade():
    bind = op.get_bind()
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    doc_ids = [
        r.id for r in bind.execute(sa.text("SELECT id FROM document ORDER BY id"))
    ]
    for doc_id in doc_ids:
        ydoc = _state(bind, doc_id)
        if ydoc is None:
            continue
        before = ydoc.get_state()
        if not docmodel.adopt_legacy_text(ydoc):
            continue
        top = bind.execute(
            sa.text(
                "SELECT COALESCE(MAX(seq), 0) FROM doc_update WHERE document_id = :d"
            ),
            {"d": doc_id},
        ).scalar_one()
        snap = bind.execute(
            sa.text(
                "SELECT COALESCE(MAX(upto_seq), 0) FROM doc_snapshot WHERE document_id = :d"
            ),
            {"d": doc_id},
        ).scalar_one()
        bind.execute(
            sa.text(
                "INSERT INTO doc_update (document_id, seq, data, author_id, created_at, checked)"
                " VALUES (:d, :s, :data, NULL, :now, :checked)"
            ),
            {
                "d": doc_id,
                "s": max(top, snap) + 1,
                "data": ydoc.get_update(before),
                "now": now,
                "checked": True,
            },
        )


def downgrade():
    # The moved text stays in the body; the old text is still in the log's
    # history. Nothing to undo without losing what was written since.
    pass
