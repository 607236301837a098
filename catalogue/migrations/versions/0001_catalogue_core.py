"""catalogue core

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 14:54:33.015339
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('provider',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('name', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('legal_name', sa.String(length=300), nullable=True),
    sa.Column('identifier', sa.String(length=120), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('region', sa.String(length=8), nullable=True),
    sa.Column('city', sa.String(length=120), nullable=True),
    sa.Column('website', sa.String(length=500), nullable=True),
    sa.Column('deqar_id', sa.String(length=40), nullable=True),
    sa.Column('qa_statement', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('recognition_policy', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('recognition_policy_url', sa.String(length=500), nullable=True),
    sa.Column('contact_email', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('slug')
    )
    op.create_table('source',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('format', sa.String(length=40), nullable=False),
    sa.Column('location', sa.String(length=1000), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('schedule', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('harvest_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('running', 'succeeded', 'partial', 'failed', name='runstatus', native_enum=False, length=16), nullable=False),
    sa.Column('complete', sa.Boolean(), nullable=False),
    sa.Column('dry_run', sa.Boolean(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('added', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('retired', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('harvest_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_harvest_run_source_id'), ['source_id'], unique=False)

    op.create_table('opportunity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('remote_id', sa.String(length=300), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Enum('active', 'retired', name='status', native_enum=False, length=16), nullable=False),
    sa.Column('index_pending', sa.Boolean(), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('title', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('description', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('learning_outcomes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('awarding_body', sa.String(length=300), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('region', sa.String(length=8), nullable=True),
    sa.Column('ects', sa.Float(), nullable=True),
    sa.Column('workload_hours', sa.Float(), nullable=True),
    sa.Column('eqf_level', sa.Integer(), nullable=True),
    sa.Column('qf_ehea_cycle', sa.String(length=8), nullable=True),
    sa.Column('nqf_level', sa.String(length=40), nullable=True),
    sa.Column('assessment_types', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('assessment', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('participation_form', sa.String(length=16), nullable=True),
    sa.Column('qa_types', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('prerequisites', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('supervision', sa.String(length=40), nullable=True),
    sa.Column('grading', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('stackability', sa.String(length=16), nullable=True),
    sa.Column('stacks_towards', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('further_info_url', sa.String(length=1000), nullable=True),
    sa.Column('start_dates', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('start_anytime', sa.Boolean(), nullable=False),
    sa.Column('duration_value', sa.Float(), nullable=True),
    sa.Column('duration_unit', sa.String(length=8), nullable=True),
    sa.Column('languages', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('places', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('price', sa.Float(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('funding', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('target_groups', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('accessibility', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('isced_f', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('esco_skills', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('esco_occupations', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('application_url', sa.String(length=1000), nullable=True),
    sa.Column('application_deadline', sa.String(length=10), nullable=True),
    sa.Column('url', sa.String(length=1000), nullable=True),
    sa.Column('extras', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], ),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_id', 'remote_id')
    )
    with op.batch_alter_table('opportunity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opportunity_index_pending'), ['index_pending'], unique=False)
        batch_op.create_index(batch_op.f('ix_opportunity_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opportunity_source_id'), ['source_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opportunity_status'), ['status'], unique=False)

    op.create_table('harvest_error',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('remote_id', sa.String(length=300), nullable=True),
    sa.Column('position', sa.Integer(), nullable=True),
    sa.Column('stage', sa.Enum('fetch', 'gather', 'parse', 'validate', 'store', name='stage', native_enum=False, length=16), nullable=False),
    sa.Column('severity', sa.Enum('error', 'warning', name='severity', native_enum=False, length=16), nullable=False),
    sa.Column('field', sa.String(length=120), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['harvest_run.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('harvest_error', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_harvest_error_run_id'), ['run_id'], unique=False)

    op.create_table('harvest_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('remote_id', sa.String(length=300), nullable=True),
    sa.Column('position', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.Enum('added', 'updated', 'unchanged', 'retired', 'rejected', 'duplicate', name='itemoutcome', native_enum=False, length=16), nullable=False),
    sa.Column('opportunity_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunity.id'], ),
    sa.ForeignKeyConstraint(['run_id'], ['harvest_run.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('harvest_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_harvest_item_run_id'), ['run_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('harvest_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_harvest_item_run_id'))

    op.drop_table('harvest_item')
    with op.batch_alter_table('harvest_error', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_harvest_error_run_id'))

    op.drop_table('harvest_error')
    with op.batch_alter_table('opportunity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opportunity_status'))
        batch_op.drop_index(batch_op.f('ix_opportunity_source_id'))
        batch_op.drop_index(batch_op.f('ix_opportunity_provider_id'))
        batch_op.drop_index(batch_op.f('ix_opportunity_index_pending'))

    op.drop_table('opportunity')
    with op.batch_alter_table('harvest_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_harvest_run_source_id'))

    op.drop_table('harvest_run')
    op.drop_table('source')
    op.drop_table('provider')
