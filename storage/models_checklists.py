"""Tables of checklists: templates a board loaded, rounds, respondents' progress and answers, actions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class ChecklistTemplateRow(Base):
    """A template a board loaded from its own file (the shipped ones live in prompts/checklists)."""

    __tablename__ = "checklist_templates"
    __table_args__ = (UniqueConstraint("board_id", "template_id", "version", name="uq_checklist_templates_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    template_id: Mapped[str] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)
    loaded_by: Mapped[str] = mapped_column(String(32))
    loaded_at: Mapped[datetime] = mapped_column(DateTime)


class RoundRow(Base):
    """A board's round of one checklist (or one member's own run of it)."""

    __tablename__ = "checklist_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    template_id: Mapped[str] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(Integer)
    personal: Mapped[bool] = mapped_column(Boolean)
    opened_by: Mapped[str] = mapped_column(String(32))
    opened_at: Mapped[datetime] = mapped_column(DateTime)
    closes_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_by: Mapped[str | None] = mapped_column(String(32))


class ResponseRow(Base):
    """One respondent's progress through a round (in an unattributed round: dates only, and never an answer)."""

    __tablename__ = "checklist_responses"

    round_id: Mapped[int] = mapped_column(ForeignKey("checklist_rounds.id", ondelete="CASCADE"), primary_key=True)
    respondent: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)


class TallyRow(Base):
    """How many chose one answer to one question in an unattributed round: a count, never who or when.

    Every (question, option) row of a round is made at once, in template order, and every row of the round is
    rewritten by each submission, so neither row order nor which rows a transaction wrote tells an answer apart.
    """

    __tablename__ = "checklist_tallies"

    round_id: Mapped[int] = mapped_column(ForeignKey("checklist_rounds.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(40), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class AnswerRow(Base):
    """One respondent's answer to one question in an attributed round."""

    __tablename__ = "checklist_answers"

    round_id: Mapped[int] = mapped_column(ForeignKey("checklist_rounds.id", ondelete="CASCADE"), primary_key=True)
    respondent: Mapped[str] = mapped_column(String(64), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(String(500), default="")
    answered_at: Mapped[datetime] = mapped_column(DateTime)


class ActionRow(Base):
    """Something the board will do about a gap, with an owner and a due date."""

    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_rounds.id", ondelete="SET NULL"))
    question_id: Mapped[str | None] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(32))
    due_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    done_at: Mapped[datetime | None] = mapped_column(DateTime)
    done_by: Mapped[str | None] = mapped_column(String(32))
