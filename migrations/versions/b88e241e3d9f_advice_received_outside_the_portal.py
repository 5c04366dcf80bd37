"""Advice received outside the portal

Revision ID: b88e241e3d9f
Revises: c4e8a1f07d2b
Create Date: 2026-12-05 07:15:13.324646

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b88e241e3d9f'
down_revision = 'c4e8a1f07d2b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('external_advice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('from_whom', sa.String(length=200), nullable=False),
    sa.Column('discipline', sa.String(length=60), nullable=False),
    sa.Column('role', sa.String(length=200), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_external_advice_case_id_case')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['person.id'], name=op.f('fk_external_advice_recorded_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_external_advice'))
    )
    with op.batch_alter_table('external_advice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_external_advice_case_id'), ['case_id'], unique=False)


def downgrade():
    with op.batch_alter_table('external_advice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_external_advice_case_id'))

    op.drop_table('external_advice')
