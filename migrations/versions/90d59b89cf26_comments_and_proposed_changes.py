"""Comments on documents and proposed changes to their text (one table)

Revision ID: 90d59b89cf26
Revises: 1b1b10348059
Create Date: 2026-12-05 07:14:26.632742

"""
from alembic import op
import sqlalchemy as sa

import portal.models.base


# revision identifiers, used by Alembic.
revision = '90d59b89cf26'
down_revision = '1b1b10348059'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_role', sa.String(length=60), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('quote', sa.Text(), nullable=False),
    sa.Column('anchor_start', sa.String(length=400), nullable=True),
    sa.Column('anchor_end', sa.String(length=400), nullable=True),
    sa.Column('replacement', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', portal.models.base.UTCDateTime(), nullable=True),
    sa.Column('created_at', portal.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['person.id'], name=op.f('fk_comment_author_id_person')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['person.id'], name=op.f('fk_comment_decided_by_id_person')),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_comment_document_id_document')),
    sa.ForeignKeyConstraint(['parent_id'], ['comment.id'], name=op.f('fk_comment_parent_id_comment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment'))
    )
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_comment_parent_id'), ['parent_id'], unique=False)



def downgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_parent_id'))
        batch_op.drop_index(batch_op.f('ix_comment_document_id'))

    op.drop_table('comment')
