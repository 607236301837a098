"""workspace: shortlists kept under a private link, their offers and saved searches

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('shortlist',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_table('shortlist_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shortlist_id', sa.Integer(), nullable=False),
    sa.Column('opportunity_id', sa.Integer(), nullable=True),
    sa.Column('title', JSON, nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shortlist_id'], ['shortlist.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunity.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('shortlist_id', 'opportunity_id')
    )
    op.create_index(op.f('ix_shortlist_item_shortlist_id'), 'shortlist_item', ['shortlist_id'])
    op.create_index(op.f('ix_shortlist_item_opportunity_id'), 'shortlist_item', ['opportunity_id'])
    op.create_table('saved_search',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shortlist_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('query', sa.String(length=2000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['shortlist_id'], ['shortlist.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_saved_search_shortlist_id'), 'saved_search', ['shortlist_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_saved_search_shortlist_id'), table_name='saved_search')
    op.drop_table('saved_search')
    op.drop_index(op.f('ix_shortlist_item_opportunity_id'), table_name='shortlist_item')
    op.drop_index(op.f('ix_shortlist_item_shortlist_id'), table_name='shortlist_item')
    op.drop_table('shortlist_item')
    op.drop_table('shortlist')
