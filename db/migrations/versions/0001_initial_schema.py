"""Initial schema: plans, pillars, measures, projects and placements, KPIs and yearly records,
target revisions, project years, audit and maintenance logs.

Revision ID: 0001
Revises: 
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('maintenance_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user', sa.String(length=100), nullable=False),
    sa.Column('event', sa.String(length=40), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_maintenance_log'))
    )
    op.create_table('plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('first_fiscal_year', sa.Integer(), nullable=False),
    sa.Column('last_fiscal_year', sa.Integer(), nullable=False),
    sa.Column('achieved_threshold', sa.String(length=40), nullable=False),
    sa.Column('delayed_factor', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('first_fiscal_year <= last_fiscal_year', name=op.f('ck_plan_period')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan'))
    )
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('entity_key', sa.String(length=80), nullable=False),
    sa.Column('field', sa.String(length=60), nullable=False),
    sa.Column('old', sa.Text(), nullable=True),
    sa.Column('new', sa.Text(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_audit_log_plan_id_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_plan_entity', ['plan_id', 'entity', 'entity_key'], unique=False)

    op.create_table('kpi',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('baseline', sa.String(length=40), nullable=False),
    sa.Column('baseline_fiscal_year', sa.Integer(), nullable=False),
    sa.Column('baseline_fiscal_year_confirmed', sa.Boolean(), nullable=False),
    sa.Column('target', sa.String(length=40), nullable=False),
    sa.Column('target_fiscal_year', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=20), nullable=False),
    sa.Column('cumulative', sa.Boolean(), nullable=False),
    sa.Column('data_source', sa.String(length=300), nullable=False),
    sa.Column('responsible_section', sa.String(length=200), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint("direction IN ('increase', 'decrease', 'maintain')", name=op.f('ck_kpi_direction')),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_kpi_plan_id_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi')),
    sa.UniqueConstraint('plan_id', 'code', name=op.f('uq_kpi_plan_id'))
    )
    with op.batch_alter_table('kpi', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kpi_plan_id'), ['plan_id'], unique=False)

    op.create_table('pillar',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('lead', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_pillar_plan_id_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pillar')),
    sa.UniqueConstraint('plan_id', 'number', name=op.f('uq_pillar_plan_id'))
    )
    with op.batch_alter_table('pillar', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pillar_plan_id'), ['plan_id'], unique=False)

    op.create_table('project',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('responsible_section', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_project_plan_id_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project')),
    sa.UniqueConstraint('plan_id', 'code', name=op.f('uq_project_plan_id'))
    )
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_plan_id'), ['plan_id'], unique=False)

    op.create_table('kpi_year',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kpi_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('actual', sa.String(length=40), nullable=True),
    sa.Column('interim_target', sa.String(length=40), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('entered_by', sa.String(length=100), nullable=False),
    sa.Column('entered_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['kpi_id'], ['kpi.id'], name=op.f('fk_kpi_year_kpi_id_kpi'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_year')),
    sa.UniqueConstraint('kpi_id', 'fiscal_year', name=op.f('uq_kpi_year_kpi_id'))
    )
    op.create_table('measure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pillar_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['pillar_id'], ['pillar.id'], name=op.f('fk_measure_pillar_id_pillar'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measure')),
    sa.UniqueConstraint('pillar_id', 'number', name=op.f('uq_measure_pillar_id'))
    )
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measure_pillar_id'), ['pillar_id'], unique=False)

    op.create_table('project_partner',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('sector', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_project_partner_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_partner'))
    )
    with op.batch_alter_table('project_partner', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_partner_project_id'), ['project_id'], unique=False)

    op.create_table('project_year',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('entered_by', sa.String(length=100), nullable=False),
    sa.Column('entered_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_project_year_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_year')),
    sa.UniqueConstraint('project_id', 'fiscal_year', name=op.f('uq_project_year_project_id'))
    )
    op.create_table('target_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kpi_id', sa.Integer(), nullable=False),
    sa.Column('old_value', sa.String(length=40), nullable=False),
    sa.Column('old_fiscal_year', sa.Integer(), nullable=False),
    sa.Column('new_value', sa.String(length=40), nullable=False),
    sa.Column('new_fiscal_year', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('revised_by', sa.String(length=100), nullable=False),
    sa.Column('revised_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['kpi_id'], ['kpi.id'], name=op.f('fk_target_revision_kpi_id_kpi'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_target_revision'))
    )
    with op.batch_alter_table('target_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_target_revision_kpi_id'), ['kpi_id'], unique=False)

    op.create_table('kpi_measure',
    sa.Column('kpi_id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['kpi_id'], ['kpi.id'], name=op.f('fk_kpi_measure_kpi_id_kpi'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['measure_id'], ['measure.id'], name=op.f('fk_kpi_measure_measure_id_measure'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('kpi_id', 'measure_id', name=op.f('pk_kpi_measure'))
    )
    with op.batch_alter_table('kpi_measure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kpi_measure_measure_id'), ['measure_id'], unique=False)

    op.create_table('placement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('relisting', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['measure_id'], ['measure.id'], name=op.f('fk_placement_measure_id_measure'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_placement_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_placement')),
    sa.UniqueConstraint('measure_id', 'number', name=op.f('uq_placement_measure_id')),
    sa.UniqueConstraint('measure_id', 'project_id', name='one_listing_per_measure')
    )
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_placement_measure_id'), ['measure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_placement_project_id'), ['project_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_placement_project_id'))
        batch_op.drop_index(batch_op.f('ix_placement_measure_id'))

    op.drop_table('placement')
    with op.batch_alter_table('kpi_measure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kpi_measure_measure_id'))

    op.drop_table('kpi_measure')
    with op.batch_alter_table('target_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_target_revision_kpi_id'))

    op.drop_table('target_revision')
    op.drop_table('project_year')
    with op.batch_alter_table('project_partner', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_partner_project_id'))

    op.drop_table('project_partner')
    with op.batch_alter_table('measure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measure_pillar_id'))

    op.drop_table('measure')
    op.drop_table('kpi_year')
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_plan_id'))

    op.drop_table('project')
    with op.batch_alter_table('pillar', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pillar_plan_id'))

    op.drop_table('pillar')
    with op.batch_alter_table('kpi', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kpi_plan_id'))

    op.drop_table('kpi')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_plan_entity')

    op.drop_table('audit_log')
    op.drop_table('plan')
    op.drop_table('maintenance_log')
