"""Excerpts: where plan passages came from; draft proposals

Revision ID: f23412942810
Revises: 5d9262398bfa
Create Date: 2026-12-04 21:23:50.817146

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f23412942810'
down_revision = '5d9262398bfa'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('excerpt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=32), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('source_document_id', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=2), nullable=False),
    sa.Column('quote', sa.Text(), nullable=False),
    sa.Column('source_title', sa.String(length=200), nullable=False),
    sa.Column('source_author', sa.String(length=300), nullable=False),
    sa.Column('source_organisation', sa.String(length=200), nullable=False),
    sa.Column('source_date', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_excerpt_case_id_case')),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], name=op.f('fk_excerpt_created_by_id_person')),
    sa.ForeignKeyConstraint(['source_document_id'], ['document.id'], name=op.f('fk_excerpt_source_document_id_document')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_excerpt')),
    sa.UniqueConstraint('ref', name=op.f('uq_excerpt_ref'))
    )
    with op.batch_alter_table('excerpt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_excerpt_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_excerpt_source_document_id'), ['source_document_id'], unique=False)

    op.create_table('draft_proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('source_document_id', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=2), nullable=False),
    sa.Column('area', sa.String(length=80), nullable=False),
    sa.Column('recommendation', sa.Text(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('backend', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('excerpt_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_draft_proposal_case_id_case')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['person.id'], name=op.f('fk_draft_proposal_decided_by_id_person')),
    sa.ForeignKeyConstraint(['excerpt_id'], ['excerpt.id'], name=op.f('fk_draft_proposal_excerpt_id_excerpt')),
    sa.ForeignKeyConstraint(['source_document_id'], ['document.id'], name=op.f('fk_draft_proposal_source_document_id_document')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draft_proposal'))
    )
    with op.batch_alter_table('draft_proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_draft_proposal_case_id'), ['case_id'], unique=False)



def downgrade():
    with op.batch_alter_table('draft_proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_draft_proposal_case_id'))

    op.drop_table('draft_proposal')
    with op.batch_alter_table('excerpt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_excerpt_source_document_id'))
        batch_op.drop_index(batch_op.f('ix_excerpt_case_id'))

    op.drop_table('excerpt')
