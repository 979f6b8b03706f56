"""The yearly evaluation: the plan's grade scheme (preset and thresholds), measure evaluations,
project directions and the external panel's opinions.

The plan's two A–D limits (achieved_threshold, delayed_factor) become the thresholds of the
A–D preset (A, B = 1 × expected, C); a plan with the default limits keeps no threshold rows.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

COURSES = "'expand', 'improve', 'continue', 'reduce', 'suspend', 'complete'"


def upgrade() -> None:
    op.create_table('grade_threshold',
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('value', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_grade_threshold_plan_id_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('plan_id', 'position', name=op.f('pk_grade_threshold'))
    )
    conn = op.get_bind()
    plans = conn.execute(sa.text('SELECT id, achieved_threshold, delayed_factor FROM plan')).fetchall()
    for plan_id, achieved, delayed in plans:
        if (achieved, delayed) == ('100', '0.5'):
            continue  # the preset's own values: nothing to keep
        for position, value in enumerate((achieved, '1', delayed)):
            conn.execute(
                sa.text('INSERT INTO grade_threshold (plan_id, position, value) VALUES (:p, :i, :v)'),
                {'p': plan_id, 'i': position, 'v': value},
            )
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('grade_scheme', sa.String(length=20), nullable=False, server_default='abcd'))
        batch_op.drop_column('achieved_threshold')
        batch_op.drop_column('delayed_factor')
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.alter_column('grade_scheme', server_default=None)

    op.create_table('measure_evaluation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('override_grade', sa.String(length=8), nullable=True),
    sa.Column('override_scheme', sa.String(length=20), nullable=False),
    sa.Column('override_reason', sa.Text(), nullable=False),
    sa.Column('achievements', sa.Text(), nullable=False),
    sa.Column('issues', sa.Text(), nullable=False),
    sa.Column('next_steps', sa.Text(), nullable=False),
    sa.Column('course', sa.String(length=20), nullable=True),
    sa.Column('entered_by', sa.String(length=100), nullable=False),
    sa.Column('entered_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint(f'course IS NULL OR course IN ({COURSES})', name=op.f('ck_measure_evaluation_course')),
    sa.ForeignKeyConstraint(['measure_id'], ['measure.id'], name=op.f('fk_measure_evaluation_measure_id_measure'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measure_evaluation')),
    sa.UniqueConstraint('measure_id', 'fiscal_year', name=op.f('uq_measure_evaluation_measure_id'))
    )
    with op.batch_alter_table('measure_evaluation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measure_evaluation_measure_id'), ['measure_id'], unique=False)

    op.create_table('project_evaluation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('course', sa.String(length=20), nullable=True),
    sa.Column('entered_by', sa.String(length=100), nullable=False),
    sa.Column('entered_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint(f'course IS NULL OR course IN ({COURSES})', name=op.f('ck_project_evaluation_course')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_project_evaluation_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_evaluation')),
    sa.UniqueConstraint('project_id', 'fiscal_year', name=op.f('uq_project_evaluation_project_id'))
    )
    with op.batch_alter_table('project_evaluation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_evaluation_project_id'), ['project_id'], unique=False)

    op.create_table('panel_opinion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=True),
    sa.Column('opinion', sa.Text(), nullable=False),
    sa.Column('response', sa.Text(), nullable=False),
    sa.Column('entered_by', sa.String(length=100), nullable=False),
    sa.Column('entered_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['measure_id'], ['measure.id'], name=op.f('fk_panel_opinion_measure_id_measure'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_panel_opinion_plan_id_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_opinion')),
    sa.UniqueConstraint('plan_id', 'number', name=op.f('uq_panel_opinion_plan_id'))
    )
    with op.batch_alter_table('panel_opinion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_opinion_measure_id'), ['measure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_panel_opinion_plan_id'), ['plan_id'], unique=False)


def downgrade() -> None:
    op.drop_table('panel_opinion')
    op.drop_table('project_evaluation')
    op.drop_table('measure_evaluation')
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('achieved_threshold', sa.String(length=40), nullable=False, server_default='100'))
        batch_op.add_column(sa.Column('delayed_factor', sa.String(length=40), nullable=False, server_default='0.5'))
        batch_op.drop_column('grade_scheme')
    op.drop_table('grade_threshold')
