"""Voice recordings in documents: audio bytes with the words said, typed by an adult

Revision ID: 78e4653d9933
Revises: a7c623630a70
Create Date: 2026-12-04 17:53:41.146505

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '78e4653d9933'
down_revision = 'a7c623630a70'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('document_recording',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=20), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('byte_size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('transcript', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_document_recording_document_id_document')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['person.id'], name=op.f('fk_document_recording_uploaded_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_recording'))
    )
    with op.batch_alter_table('document_recording', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_recording_document_id'), ['document_id'], unique=False)



def downgrade():
    with op.batch_alter_table('document_recording', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_recording_document_id'))

    op.drop_table('document_recording')
