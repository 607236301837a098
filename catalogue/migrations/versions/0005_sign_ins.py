"""sign-ins kept on the server: signing out ends the session everywhere

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sign_in',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('token_hash')
    )
    op.create_index(op.f('ix_sign_in_user'), 'sign_in', ['user'])


def downgrade() -> None:
    op.drop_index(op.f('ix_sign_in_user'), table_name='sign_in')
    op.drop_table('sign_in')
