"""fidelity: what feeds say beyond one price and one credit value; source options and lease

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
OPPORTUNITY_LISTS = ('awarding_bodies', 'credits', 'sessions', 'prices', 'subject_codes')
OPPORTUNITY_DICTS = ('qualification_title', 'concept_labels')


def upgrade() -> None:
    with op.batch_alter_table('opportunity') as batch:
        for name in OPPORTUNITY_LISTS:
            batch.add_column(sa.Column(name, JSON, nullable=False, server_default='[]'))
        for name in OPPORTUNITY_DICTS:
            batch.add_column(sa.Column(name, JSON, nullable=False, server_default='{}'))
    with op.batch_alter_table('source') as batch:
        batch.add_column(sa.Column('options', JSON, nullable=False, server_default='{}'))
        batch.add_column(sa.Column('lease_run_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('source') as batch:
        for name in ('lease_until', 'lease_run_id', 'options'):
            batch.drop_column(name)
    with op.batch_alter_table('opportunity') as batch:
        for name in OPPORTUNITY_DICTS + OPPORTUNITY_LISTS:
            batch.drop_column(name)
