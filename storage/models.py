"""SQLAlchemy 2 typed models; the migrations in storage/migrations create the same schema."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base for every table."""


class Workspace(Base):
    __tablename__ = "workspaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Organisation(Base):
    __tablename__ = "organisations"
    __table_args__ = (UniqueConstraint("workspace_id", "name_key", name="uq_organisations_workspace_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    name_key: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(24), default="other")  # a delegation.OrgType
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class BoardRow(Base):
    __tablename__ = "boards"
    __table_args__ = (UniqueConstraint("workspace_id", "channel_id", name="uq_boards_workspace_channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(32))
    collaboration_type: Mapped[str] = mapped_column(String(16))
    channel_id: Mapped[str] = mapped_column(String(32))
    timezone: Mapped[str] = mapped_column(String(64))
    default_rule: Mapped[str] = mapped_column(String(16))
    digest_weekday: Mapped[int | None] = mapped_column(Integer, default=0)  # None: no weekly digest
    digest_at: Mapped[str] = mapped_column(String(5), default="09:00")
    reminder_hours: Mapped[int] = mapped_column(Integer, default=24)  # 0: no closing reminders
    skip_holidays: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime)

    members: Mapped[list[MemberRow]] = relationship(
        back_populates="board", cascade="all, delete-orphan", order_by="MemberRow.id"
    )


class MemberRow(Base):
    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("board_id", "user_id", name="uq_members_board_user"),
        Index("ix_members_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    role: Mapped[str] = mapped_column(String(16))
    org_voter: Mapped[bool] = mapped_column(Boolean, default=False)  # speaks for its organisation on such polls
    added_by: Mapped[str] = mapped_column(String(32))
    added_at: Mapped[datetime] = mapped_column(DateTime)

    board: Mapped[BoardRow] = relationship(back_populates="members")
    organisation: Mapped[Organisation] = relationship(lazy="joined")


class AuditEventRow(Base):
    """Append-only: database triggers refuse UPDATE, DELETE and (on PostgreSQL) TRUNCATE."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(DateTime)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    keyed: Mapped[bool] = mapped_column(Boolean)  # False only for events written before the log was keyed


class AuditHead(Base):
    """One row holding the chain's tip; locking it serialises appends on PostgreSQL. Triggers refuse DELETE."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class ProcessedRequest(Base):
    """Idempotency keys of Slack requests already handled (event ids, trigger ids)."""

    __tablename__ = "processed_requests"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class Category(Base):
    """A kind of decision: finance (an amount in GBP) or a yes/no category such as data sharing."""

    __tablename__ = "categories"
    __table_args__ = (UniqueConstraint("workspace_id", "key", name="uq_categories_workspace_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16))


class ProposalRow(Base):
    __tablename__ = "proposals"
    __table_args__ = (
        UniqueConstraint("board_id", "number", name="uq_proposals_board_number"),
        Index("ix_proposals_due", "status", "closes_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    request_key: Mapped[str] = mapped_column(String(200), unique=True)
    number: Mapped[str | None] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(40))
    amount_pence: Mapped[int | None] = mapped_column(BigInteger)
    rule: Mapped[str] = mapped_column(String(16))
    threshold: Mapped[str] = mapped_column(String(16))
    quorum: Mapped[str] = mapped_column(String(16))
    secret: Mapped[bool] = mapped_column(Boolean)
    hide_results: Mapped[bool] = mapped_column(Boolean)
    per_organisation: Mapped[bool] = mapped_column(Boolean)
    proposer: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(String(16))
    outcome_reasons: Mapped[str] = mapped_column(Text, default="")
    opened_at: Mapped[datetime] = mapped_column(DateTime)
    closes_at: Mapped[datetime] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_by: Mapped[str | None] = mapped_column(String(32))
    org_amounts: Mapped[str] = mapped_column(Text, default="")  # "org_id=pence;..." set by the proposer
    marks: Mapped[str] = mapped_column(String(200), default="")  # governance marks, comma separated
    rule_overridden_by: Mapped[str | None] = mapped_column(String(32))


class VoteRow(Base):
    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id", name="uq_votes_proposal_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    organisation: Mapped[str] = mapped_column(String(80))
    organisation_id: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    proxy_by: Mapped[str | None] = mapped_column(String(32))
    first_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class VoteHistoryRow(Base):
    """Every position ever recorded, in order; votes holds only the current one."""

    __tablename__ = "vote_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    position: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    proxy_by: Mapped[str | None] = mapped_column(String(32))
    recorded_at: Mapped[datetime] = mapped_column(DateTime)


class InterestRow(Base):
    """A declared conflict of interest and the chair's decision on it."""

    __tablename__ = "interests"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id", name="uq_interests_proposal_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    declared_at: Mapped[datetime] = mapped_column(DateTime)
    decision: Mapped[str] = mapped_column(String(16))
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)


class Person(Base):
    """A Slack user's display name, cached for board papers."""

    __tablename__ = "people"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    fetched_at: Mapped[datetime] = mapped_column(DateTime)


class ReviewRow(Base):
    """A recurring governance reminder of one board."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(120))
    starts_on: Mapped[date] = mapped_column(Date)
    recurrence: Mapped[str] = mapped_column(String(40))
    tell: Mapped[str] = mapped_column(String(32))
    next_due: Mapped[datetime | None] = mapped_column(DateTime)
    ends_on: Mapped[date | None] = mapped_column(Date)
    template_id: Mapped[str | None] = mapped_column(String(60))  # a re-assessment: the checklist it reopens
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_done_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_done_by: Mapped[str | None] = mapped_column(String(32))


class ReminderSent(Base):
    """A member was reminded, before a poll closed, that they had not voted."""

    __tablename__ = "reminders_sent"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    reminded_at: Mapped[datetime] = mapped_column(DateTime)
