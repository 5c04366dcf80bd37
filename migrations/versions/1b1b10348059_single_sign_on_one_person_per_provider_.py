"""Single sign-on: one person per provider account, and round trips under way

Revision ID: 1b1b10348059
Revises: b88e241e3d9f
Create Date: 2026-12-05 07:29:00.723068

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1b1b10348059'
down_revision = 'b88e241e3d9f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('oidc_login',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('state_hash', sa.String(length=64), nullable=False),
    sa.Column('provider', sa.String(length=100), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('nonce', sa.String(length=100), nullable=False),
    sa.Column('code_verifier', sa.String(length=200), nullable=False),
    sa.Column('next_url', sa.String(length=2000), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitation.id'], name=op.f('fk_oidc_login_invitation_id_invitation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_oidc_login_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oidc_login')),
    sa.UniqueConstraint('state_hash', name=op.f('uq_oidc_login_state_hash'))
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_person_oidc_issuer_oidc_subject'), ['oidc_issuer', 'oidc_subject'])



def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_person_oidc_issuer_oidc_subject'), type_='unique')

    op.drop_table('oidc_login')
