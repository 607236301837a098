"""The catalogue's tables: providers, their sources, opportunities and harvest bookkeeping."""
from __future__ import annotations

import enum
from datetime import datetime, timezone

from sqlalchemy import (JSON, Boolean, DateTime, Enum, Float, ForeignKey, Integer, LargeBinary,
                        String, Text, UniqueConstraint)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from .record import RECORD_FIELDS, OpportunityRecord

Json = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class Provider(Base):
    __tablename__ = "provider"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[dict] = mapped_column(Json, default=dict)
    legal_name: Mapped[str | None] = mapped_column(String(300))
    identifier: Mapped[str | None] = mapped_column(String(120))
    kind: Mapped[str | None] = mapped_column(String(40))
    country: Mapped[str | None] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(8))
    city: Mapped[str | None] = mapped_column(String(120))
    website: Mapped[str | None] = mapped_column(String(500))
    deqar_id: Mapped[str | None] = mapped_column(String(40))
    qa_statement: Mapped[dict] = mapped_column(Json, default=dict)
    recognition_policy: Mapped[dict] = mapped_column(Json, default=dict)
    recognition_policy_url: Mapped[str | None] = mapped_column(String(500))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    sources: Mapped[list[Source]] = relationship(back_populates="provider")


class Source(Base):
    """A provider's feed URL or uploaded file, with the format to read it in."""
    __tablename__ = "source"
    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"))
    name: Mapped[str] = mapped_column(String(200))
    format: Mapped[str] = mapped_column(String(40))
    location: Mapped[str] = mapped_column(String(1000))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    schedule: Mapped[str | None] = mapped_column(String(40))
    options: Mapped[dict] = mapped_column(Json, default=dict)  # format options (a CSV mapping)
    # one harvest at a time: the run holding the lease and until when (a crash lets it lapse)
    lease_run_id: Mapped[int | None] = mapped_column(Integer)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    provider: Mapped[Provider] = relationship(back_populates="sources")
    runs: Mapped[list[HarvestRun]] = relationship(back_populates="source",
                                                  order_by="HarvestRun.id.desc()")


class Status(enum.Enum):
    ACTIVE = "active"
    RETIRED = "retired"


class Opportunity(Base):
    """One offer; the columns are OpportunityRecord's fields plus identity and lifecycle."""
    __tablename__ = "opportunity"
    __table_args__ = (UniqueConstraint("source_id", "remote_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    remote_id: Mapped[str] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[Status] = mapped_column(_enum(Status), default=Status.ACTIVE, index=True)
    index_pending: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    title: Mapped[dict] = mapped_column(Json, default=dict)
    description: Mapped[dict] = mapped_column(Json, default=dict)
    learning_outcomes: Mapped[dict] = mapped_column(Json, default=dict)
    awarding_body: Mapped[str | None] = mapped_column(String(300))
    awarding_bodies: Mapped[list] = mapped_column(Json, default=list)
    country: Mapped[str | None] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(8))
    ects: Mapped[float | None] = mapped_column(Float)
    credits: Mapped[list] = mapped_column(Json, default=list)
    workload_hours: Mapped[float | None] = mapped_column(Float)
    eqf_level: Mapped[int | None] = mapped_column(Integer)
    qf_ehea_cycle: Mapped[str | None] = mapped_column(String(8))
    nqf_level: Mapped[str | None] = mapped_column(String(40))
    assessment_types: Mapped[list] = mapped_column(Json, default=list)
    assessment: Mapped[dict] = mapped_column(Json, default=dict)
    participation_form: Mapped[str | None] = mapped_column(String(16))
    qa_types: Mapped[list] = mapped_column(Json, default=list)
    prerequisites: Mapped[dict] = mapped_column(Json, default=dict)
    supervision: Mapped[str | None] = mapped_column(String(40))
    grading: Mapped[dict] = mapped_column(Json, default=dict)
    stackability: Mapped[str | None] = mapped_column(String(16))
    stacks_towards: Mapped[dict] = mapped_column(Json, default=dict)
    further_info_url: Mapped[str | None] = mapped_column(String(1000))
    start_dates: Mapped[list] = mapped_column(Json, default=list)
    start_anytime: Mapped[bool] = mapped_column(Boolean, default=False)
    sessions: Mapped[list] = mapped_column(Json, default=list)
    duration_value: Mapped[float | None] = mapped_column(Float)
    duration_unit: Mapped[str | None] = mapped_column(String(8))
    languages: Mapped[list] = mapped_column(Json, default=list)
    places: Mapped[list] = mapped_column(Json, default=list)
    price: Mapped[float | None] = mapped_column(Float)
    currency: Mapped[str | None] = mapped_column(String(3))
    prices: Mapped[list] = mapped_column(Json, default=list)
    funding: Mapped[list] = mapped_column(Json, default=list)
    target_groups: Mapped[list] = mapped_column(Json, default=list)
    accessibility: Mapped[dict] = mapped_column(Json, default=dict)
    isced_f: Mapped[list] = mapped_column(Json, default=list)
    subject_codes: Mapped[list] = mapped_column(Json, default=list)
    qualification_title: Mapped[dict] = mapped_column(Json, default=dict)
    esco_skills: Mapped[list] = mapped_column(Json, default=list)
    esco_occupations: Mapped[list] = mapped_column(Json, default=list)
    application_url: Mapped[str | None] = mapped_column(String(1000))
    application_deadline: Mapped[str | None] = mapped_column(String(10))
    url: Mapped[str | None] = mapped_column(String(1000))
    concept_labels: Mapped[dict] = mapped_column(Json, default=dict)
    extras: Mapped[dict] = mapped_column(Json, default=dict)

    source: Mapped[Source] = relationship()
    provider: Mapped[Provider] = relationship()

    def to_record(self) -> OpportunityRecord:
        return OpportunityRecord(**{name: getattr(self, name) for name in RECORD_FIELDS})

    def apply(self, record: OpportunityRecord) -> None:
        for name in RECORD_FIELDS:
            setattr(self, name, getattr(record, name))


class RunStatus(enum.Enum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"   # every record read
    PARTIAL = "partial"       # read, with rejected records
    FAILED = "failed"         # the source could not be read: nothing changed


class HarvestRun(Base):
    __tablename__ = "harvest_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"), index=True)
    status: Mapped[RunStatus] = mapped_column(_enum(RunStatus), default=RunStatus.RUNNING)
    complete: Mapped[bool] = mapped_column(Boolean, default=True)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    added: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    retired: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(Text)

    source: Mapped[Source] = relationship(back_populates="runs")
    items: Mapped[list[HarvestItem]] = relationship(back_populates="run")
    errors: Mapped[list[HarvestError]] = relationship(back_populates="run",
                                                      order_by="HarvestError.id")


class ItemOutcome(enum.Enum):
    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    RETIRED = "retired"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"


class HarvestItem(Base):
    __tablename__ = "harvest_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("harvest_run.id"), index=True)
    remote_id: Mapped[str | None] = mapped_column(String(300))
    position: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[ItemOutcome] = mapped_column(_enum(ItemOutcome))
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("opportunity.id"))

    run: Mapped[HarvestRun] = relationship(back_populates="items")


class Stage(enum.Enum):
    FETCH = "fetch"
    GATHER = "gather"
    PARSE = "parse"
    VALIDATE = "validate"
    STORE = "store"


class Severity(enum.Enum):
    ERROR = "error"        # the record (or the run) was rejected
    WARNING = "warning"    # loaded, but the provider should fix it (e.g. a missing Annex I element)


class HarvestError(Base):
    __tablename__ = "harvest_error"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("harvest_run.id"), index=True)
    remote_id: Mapped[str | None] = mapped_column(String(300))
    position: Mapped[int | None] = mapped_column(Integer)
    stage: Mapped[Stage] = mapped_column(_enum(Stage))
    severity: Mapped[Severity] = mapped_column(_enum(Severity), default=Severity.ERROR)
    field: Mapped[str | None] = mapped_column(String(120))
    message: Mapped[str] = mapped_column(Text)

    run: Mapped[HarvestRun] = relationship(back_populates="errors")


class Embedding(Base):
    """A text's vector, keyed by the encoder's model and the text's hash: computed once, reused
    by every offer and every rebuild that embeds the same text (see indexer.embeddings)."""
    __tablename__ = "embedding"
    model: Mapped[str] = mapped_column(String(80), primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # float16, little-endian
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
