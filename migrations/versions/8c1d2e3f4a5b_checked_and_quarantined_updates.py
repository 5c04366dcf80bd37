"""Update log rows say whether their bytes were checked, and can be set aside

Revision ID: 8c1d2e3f4a5b
Revises: 3f6c2a1d9b7e
Create Date: 2026-12-04 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8c1d2e3f4a5b'
down_revision = '3f6c2a1d9b7e'
branch_labels = None
depends_on = None


def upgrade():
    # Rows stored before this revision were never checked: false for them.
    with op.batch_alter_table('doc_update', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checked', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('quarantined_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('quarantine_reason', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('doc_update', schema=None) as batch_op:
        batch_op.drop_column('quarantine_reason')
        batch_op.drop_column('quarantined_at')
        batch_op.drop_column('checked')
