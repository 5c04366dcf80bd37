"""Pictures in documents: re-encoded image bytes with their alt text

Revision ID: a7c623630a70
Revises: b7d9e1f3a2c4
Create Date: 2026-12-04 16:57:20.532354

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c623630a70'
down_revision = 'b7d9e1f3a2c4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('document_image',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=20), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('byte_size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('alt', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_document_image_document_id_document')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['person.id'], name=op.f('fk_document_image_uploaded_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_image'))
    )
    with op.batch_alter_table('document_image', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_image_document_id'), ['document_id'], unique=False)



def downgrade():
    with op.batch_alter_table('document_image', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_image_document_id'))

    op.drop_table('document_image')
