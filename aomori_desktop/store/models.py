"""The relational schema (SQLAlchemy 2 typed ORM). ORM objects never leave store/ and services/.

Portable by design: no SQLite-only types or SQL, so the same schema runs on PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from aomori_desktop.store.types import DecimalText, UtcDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class PlanRow(Base):
    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    first_fiscal_year: Mapped[int] = mapped_column(Integer)
    last_fiscal_year: Mapped[int] = mapped_column(Integer)
    grade_scheme: Mapped[str] = mapped_column(String(20), default="abcd")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    pillars: Mapped[list[PillarRow]] = relationship(
        back_populates="plan", order_by="PillarRow.position", cascade="all, delete-orphan"
    )
    projects: Mapped[list[ProjectRow]] = relationship(
        back_populates="plan", order_by="ProjectRow.position", cascade="all, delete-orphan"
    )
    kpis: Mapped[list[KpiRow]] = relationship(
        back_populates="plan", order_by="KpiRow.position", cascade="all, delete-orphan"
    )
    grade_thresholds: Mapped[list[GradeThresholdRow]] = relationship(
        order_by="GradeThresholdRow.position", cascade="all, delete-orphan"
    )

    __table_args__ = (CheckConstraint("first_fiscal_year <= last_fiscal_year", name="period"),)


class PillarRow(Base):
    __tablename__ = "pillar"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    lead: Mapped[str] = mapped_column(String(200), default="")
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)

    plan: Mapped[PlanRow] = relationship(back_populates="pillars")
    measures: Mapped[list[MeasureRow]] = relationship(
        back_populates="pillar", order_by="MeasureRow.position", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("plan_id", "number"),)


class MeasureRow(Base):
    __tablename__ = "measure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pillar_id: Mapped[int] = mapped_column(ForeignKey("pillar.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer)

    pillar: Mapped[PillarRow] = relationship(back_populates="measures")
    placements: Mapped[list[PlacementRow]] = relationship(
        back_populates="measure", order_by="PlacementRow.number", cascade="all, delete-orphan"
    )
    kpi_links: Mapped[list[KpiMeasureRow]] = relationship(
        back_populates="measure", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("pillar_id", "number"),)

    @property
    def code(self) -> str:
        return f"{self.pillar.number}-{self.number}"


class ProjectRow(Base):
    __tablename__ = "project"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    responsible_section: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer)

    plan: Mapped[PlanRow] = relationship(back_populates="projects")
    placements: Mapped[list[PlacementRow]] = relationship(
        back_populates="project", cascade="all, delete-orphan"
    )
    partners: Mapped[list[PartnerRow]] = relationship(
        back_populates="project", order_by="PartnerRow.position", cascade="all, delete-orphan"
    )
    years: Mapped[list[ProjectYearRow]] = relationship(
        back_populates="project",
        order_by="ProjectYearRow.fiscal_year",
        cascade="all, delete-orphan",
    )

    __table_args__ = (UniqueConstraint("plan_id", "code"),)


class PartnerRow(Base):
    __tablename__ = "project_partner"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    sector: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)

    project: Mapped[ProjectRow] = relationship(back_populates="partners")


class PlacementRow(Base):
    """A project listed under a measure. `relisting` marks a 再掲 of a project homed elsewhere."""

    __tablename__ = "placement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    measure_id: Mapped[int] = mapped_column(
        ForeignKey("measure.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    relisting: Mapped[bool] = mapped_column(Boolean, default=False)

    measure: Mapped[MeasureRow] = relationship(back_populates="placements")
    project: Mapped[ProjectRow] = relationship(back_populates="placements")

    __table_args__ = (
        UniqueConstraint("measure_id", "number"),
        UniqueConstraint("measure_id", "project_id", name="one_listing_per_measure"),
    )


class KpiRow(Base):
    __tablename__ = "kpi"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(40))
    baseline: Mapped[Decimal] = mapped_column(DecimalText)
    baseline_fiscal_year: Mapped[int] = mapped_column(Integer)
    baseline_fiscal_year_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    target: Mapped[Decimal] = mapped_column(DecimalText)
    target_fiscal_year: Mapped[int] = mapped_column(Integer)
    direction: Mapped[str] = mapped_column(String(20))
    cumulative: Mapped[bool] = mapped_column(Boolean, default=False)
    data_source: Mapped[str] = mapped_column(String(300), default="")
    responsible_section: Mapped[str] = mapped_column(String(200), default="")
    definition: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer)

    plan: Mapped[PlanRow] = relationship(back_populates="kpis")
    measure_links: Mapped[list[KpiMeasureRow]] = relationship(
        back_populates="kpi", order_by="KpiMeasureRow.position", cascade="all, delete-orphan"
    )
    years: Mapped[list[KpiYearRow]] = relationship(
        back_populates="kpi", order_by="KpiYearRow.fiscal_year", cascade="all, delete-orphan"
    )
    target_revisions: Mapped[list[TargetRevisionRow]] = relationship(
        back_populates="kpi", order_by="TargetRevisionRow.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("plan_id", "code"),
        CheckConstraint("direction IN ('increase', 'decrease', 'maintain')", name="direction"),
    )


class KpiMeasureRow(Base):
    """A KPI serving a measure (one KPI may serve several)."""

    __tablename__ = "kpi_measure"

    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id", ondelete="CASCADE"), primary_key=True)
    measure_id: Mapped[int] = mapped_column(
        ForeignKey("measure.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer)

    kpi: Mapped[KpiRow] = relationship(back_populates="measure_links")
    measure: Mapped[MeasureRow] = relationship(back_populates="kpi_links")


class KpiYearRow(Base):
    __tablename__ = "kpi_year"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id", ondelete="CASCADE"))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    actual: Mapped[Decimal | None] = mapped_column(DecimalText, nullable=True)
    interim_target: Mapped[Decimal | None] = mapped_column(DecimalText, nullable=True)
    status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    comment: Mapped[str] = mapped_column(Text, default="")
    entered_by: Mapped[str] = mapped_column(String(100), default="")
    entered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    kpi: Mapped[KpiRow] = relationship(back_populates="years")

    __table_args__ = (UniqueConstraint("kpi_id", "fiscal_year"),)


class TargetRevisionRow(Base):
    __tablename__ = "target_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id", ondelete="CASCADE"), index=True)
    old_value: Mapped[Decimal] = mapped_column(DecimalText)
    old_fiscal_year: Mapped[int] = mapped_column(Integer)
    new_value: Mapped[Decimal] = mapped_column(DecimalText)
    new_fiscal_year: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    revised_by: Mapped[str] = mapped_column(String(100))
    revised_at: Mapped[datetime] = mapped_column(UtcDateTime)

    kpi: Mapped[KpiRow] = relationship(back_populates="target_revisions")


class ProjectYearRow(Base):
    __tablename__ = "project_year"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    entered_by: Mapped[str] = mapped_column(String(100), default="")
    entered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    project: Mapped[ProjectRow] = relationship(back_populates="years")

    __table_args__ = (UniqueConstraint("project_id", "fiscal_year"),)


class AuditRow(Base):
    """One changed field: what, old value, new value, who (OS user) and when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    user: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(20))
    entity: Mapped[str] = mapped_column(String(40))
    entity_key: Mapped[str] = mapped_column(String(80))
    field: Mapped[str] = mapped_column(String(60))
    old: Mapped[str | None] = mapped_column(Text, nullable=True)
    new: Mapped[str | None] = mapped_column(Text, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_audit_log_plan_entity", "plan_id", "entity", "entity_key"),)


class MaintenanceRow(Base):
    """Events about the database file itself: created, seeded, imported, upgraded, backed up."""

    __tablename__ = "maintenance_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    user: Mapped[str] = mapped_column(String(100))
    event: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")


# ---------------------------------------------------------------- the yearly evaluation

COURSES = "'expand', 'improve', 'continue', 'reduce', 'suspend', 'complete'"


class GradeThresholdRow(Base):
    """One threshold of the plan's grade scheme, in the scheme's rule order (domain.grading);
    a plan without rows uses its preset's values."""

    __tablename__ = "grade_threshold"

    plan_id: Mapped[int] = mapped_column(
        ForeignKey("plan.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[Decimal] = mapped_column(DecimalText)


class MeasureEvaluationRow(Base):
    """施策評価 of a measure for a fiscal year: override (grade symbol, the scheme it belongs
    to, reason), 成果, 課題, 今後の方向性 and the chosen direction. The proposed grade is
    computed, never stored."""

    __tablename__ = "measure_evaluation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    measure_id: Mapped[int] = mapped_column(
        ForeignKey("measure.id", ondelete="CASCADE"), index=True
    )
    fiscal_year: Mapped[int] = mapped_column(Integer)
    override_grade: Mapped[str | None] = mapped_column(String(8), nullable=True)
    override_scheme: Mapped[str] = mapped_column(String(20), default="")
    override_reason: Mapped[str] = mapped_column(Text, default="")
    achievements: Mapped[str] = mapped_column(Text, default="")
    issues: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    course: Mapped[str | None] = mapped_column(String(20), nullable=True)
    entered_by: Mapped[str] = mapped_column(String(100), default="")
    entered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    measure: Mapped[MeasureRow] = relationship()

    __table_args__ = (
        UniqueConstraint("measure_id", "fiscal_year"),
        CheckConstraint(f"course IS NULL OR course IN ({COURSES})", name="course"),
    )


class ProjectEvaluationRow(Base):
    """The direction chosen for a project for a fiscal year (拡充 … 完了)."""

    __tablename__ = "project_evaluation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    fiscal_year: Mapped[int] = mapped_column(Integer)
    course: Mapped[str | None] = mapped_column(String(20), nullable=True)
    entered_by: Mapped[str] = mapped_column(String(100), default="")
    entered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    project: Mapped[ProjectRow] = relationship()

    __table_args__ = (
        UniqueConstraint("project_id", "fiscal_year"),
        CheckConstraint(f"course IS NULL OR course IN ({COURSES})", name="course"),
    )


class PanelOpinionRow(Base):
    """An opinion of the external review panel (有識者会議) for a fiscal year, on a measure or
    (measure_id NULL) on the whole plan, with the city's response (対応方針)."""

    __tablename__ = "panel_opinion"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    measure_id: Mapped[int | None] = mapped_column(
        ForeignKey("measure.id", ondelete="CASCADE"), nullable=True, index=True
    )
    opinion: Mapped[str] = mapped_column(Text)
    response: Mapped[str] = mapped_column(Text, default="")
    entered_by: Mapped[str] = mapped_column(String(100), default="")
    entered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    measure: Mapped[MeasureRow | None] = relationship()

    __table_args__ = (UniqueConstraint("plan_id", "number"),)
