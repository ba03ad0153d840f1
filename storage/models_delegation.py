"""Tables of the scheme of delegation: authority, escalation chains, deputies, escalations, rules per category
and the queue of decisions taken under delegation."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class AuthorityRow(Base):
    """One version of a member's delegated authority in one category; superseded versions are kept."""

    __tablename__ = "authorities"
    __table_args__ = (Index("ix_authorities_member", "organisation_id", "user_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(40))
    amount_pence: Mapped[int | None] = mapped_column(BigInteger)
    unlimited: Mapped[bool] = mapped_column(Boolean)
    allowed: Mapped[bool] = mapped_column(Boolean)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)
    granted_by: Mapped[str] = mapped_column(String(32))
    granted_at: Mapped[datetime] = mapped_column(DateTime)
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime)


class ChainLevelRow(Base):
    """One level of an organisation's escalation chain."""

    __tablename__ = "chain_levels"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(80))
    approvers: Mapped[str] = mapped_column(String(400))  # space-separated Slack user ids
    channel_id: Mapped[str | None] = mapped_column(String(32))
    limit_pence: Mapped[int | None] = mapped_column(BigInteger)  # None: unlimited
    approves_other: Mapped[bool] = mapped_column(Boolean)
    response_days: Mapped[int] = mapped_column(Integer)
    changed_by: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(DateTime)


class DeputyRow(Base):
    """Someone answering escalations for an approver between two dates."""

    __tablename__ = "deputies"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    approver: Mapped[str] = mapped_column(String(32))
    deputy: Mapped[str] = mapped_column(String(32))
    from_date: Mapped[date] = mapped_column(Date)
    until_date: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(32))


class EscalationRow(Base):
    """A proposal's request for sign-off through one organisation's chain."""

    __tablename__ = "escalations"
    __table_args__ = (UniqueConstraint("proposal_id", "organisation_id", name="uq_escalations_proposal_org"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    amount_pence: Mapped[int | None] = mapped_column(BigInteger)
    brought_by: Mapped[str] = mapped_column(String(32))
    level_position: Mapped[int] = mapped_column(Integer)
    level_title: Mapped[str] = mapped_column(String(80))
    approvers: Mapped[str] = mapped_column(String(400))
    acting_for: Mapped[str] = mapped_column(String(400))  # "deputy:approver" pairs, space-separated
    channel_id: Mapped[str | None] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16))
    opened_at: Mapped[datetime] = mapped_column(DateTime)
    due_at: Mapped[datetime | None] = mapped_column(DateTime)
    reminded: Mapped[bool] = mapped_column(Boolean)
    answered_by: Mapped[str | None] = mapped_column(String(32))
    answered_for: Mapped[str | None] = mapped_column(String(32))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    comment: Mapped[str] = mapped_column(Text, default="")
    problem: Mapped[str] = mapped_column(Text, default="")


class CategoryRuleRow(Base):
    """The decision rule a board uses for one category of decision."""

    __tablename__ = "category_rules"

    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(String(40), primary_key=True)
    rule: Mapped[str] = mapped_column(String(16))
    threshold: Mapped[str | None] = mapped_column(String(16))


class DelegatedDecisionRow(Base):
    """A decision agreed with no escalation, queued for the board's retrospective review."""

    __tablename__ = "delegated_decisions"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    queued_at: Mapped[datetime] = mapped_column(DateTime)
    reviewed_by: Mapped[str | None] = mapped_column(String(32))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(Text, default="")
