"""Notifications, sent reminders, cancelled and replaced invitations

Revision ID: 09f723b58e51
Revises: 90d59b89cf26
Create Date: 2026-12-05 07:15:00.169794

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '09f723b58e51'
down_revision = '90d59b89cf26'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=False),
    sa.Column('email_subject', sa.String(length=200), nullable=False),
    sa.Column('email_body', sa.Text(), nullable=False),
    sa.Column('email_state', sa.String(length=10), nullable=False),
    sa.Column('emailed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_notification_case_id_case')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_notification_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_person_id'), ['person_id'], unique=False)

    op.create_table('sent_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('notification_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_sent_reminder_case_id_case')),
    sa.ForeignKeyConstraint(['notification_id'], ['notification.id'], name=op.f('fk_sent_reminder_notification_id_notification')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_sent_reminder_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sent_reminder')),
    sa.UniqueConstraint('key', name=op.f('uq_sent_reminder_key'))
    )
    with op.batch_alter_table('sent_reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sent_reminder_case_id'), ['case_id'], unique=False)

    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('replaced_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_invitation_replaced_by_id_invitation'), 'invitation', ['replaced_by_id'], ['id'])



def downgrade():
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_invitation_replaced_by_id_invitation'), type_='foreignkey')
        batch_op.drop_column('replaced_by_id')
        batch_op.drop_column('cancelled_at')

    with op.batch_alter_table('sent_reminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sent_reminder_case_id'))

    op.drop_table('sent_reminder')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_person_id'))
        batch_op.drop_index(batch_op.f('ix_notification_case_id'))

    op.drop_table('notification')
