"""Admins, closed cases, first reads and the update log's audit watermark

Revision ID: c4e8a1f07d2b
Revises: f23412942810
Create Date: 2026-12-05 07:30:00.000000

`person.is_admin` marks data-protection staff; `case.closed_at` starts the
retention period; `membership.first_read_at` records a person's first read of
a case once; `document.audited_seq` is how far the update log has been
summarised into the audit trail. Existing documents start at 0, so their
whole remaining log is summarised the first time the trail is read.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e8a1f07d2b'
down_revision = 'f23412942810'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_admin', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_read_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audited_seq', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_column('audited_seq')
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_column('first_read_at')
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('is_admin')
