"""Governance reviews and the record of who was reminded to vote, as domain objects."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.domain.reviews import Review, ReviewKind
from bot.services import repositories_decisions as ports
from storage.models import ReminderSent, ReviewRow
from storage.repositories import upsert


def _review(row: ReviewRow) -> Review:
    return Review(row.id, row.board_id, ReviewKind(row.kind), row.title, row.starts_on, row.recurrence, row.tell,
                  row.next_due, row.ends_on, row.created_by, row.last_done_at, row.last_done_by, row.template_id)


class ReviewRepository(ports.ReviewRepository):
    def __init__(self, session: Session):
        self.session = session

    def add(self, review: Review, *, at: datetime) -> int:
        """Save a new review; its id."""
        row = ReviewRow(board_id=review.board_id, kind=review.kind.value, title=review.title,
                        starts_on=review.starts_on, recurrence=review.recurrence, tell=review.tell,
                        next_due=review.next_due, ends_on=review.ends_on, created_by=review.created_by, created_at=at,
                        template_id=review.template_id)
        self.session.add(row)
        self.session.flush()
        return row.id

    def get(self, review_id: int, *, lock: bool = False) -> Review | None:
        """A review; with `lock`, changes to it queue behind this transaction."""
        query = select(ReviewRow).where(ReviewRow.id == review_id)
        row = self.session.execute(query.with_for_update() if lock else query).scalar()
        return _review(row) if row else None

    def save(self, review: Review) -> None:
        """Write back its next due moment and when it was last done."""
        self.session.execute(update(ReviewRow).where(ReviewRow.id == review.id).values(
            next_due=review.next_due, last_done_at=review.last_done_at, last_done_by=review.last_done_by))

    def remove(self, review_id: int) -> None:
        """Delete a review: a reminder still queued for it finds nothing and sends nothing."""
        self.session.execute(delete(ReviewRow).where(ReviewRow.id == review_id))

    def of_board(self, board_id: int) -> list[Review]:
        """A board's reviews, soonest due first (finished ones last)."""
        rows = self.session.execute(select(ReviewRow).where(ReviewRow.board_id == board_id)
                                    .order_by(ReviewRow.next_due.is_(None), ReviewRow.next_due, ReviewRow.id))
        return [_review(r) for r in rows.scalars()]


class ReminderRepository(ports.ReminderRepository):
    def __init__(self, session: Session):
        self.session = session

    def note(self, proposal_id: int, user_id: str, *, at: datetime) -> bool:
        """Record that a member was reminded; False if they already had been (once per poll)."""
        inserted = self.session.execute(
            upsert(self.session)(ReminderSent).values(proposal_id=proposal_id, user_id=user_id, reminded_at=at)
            .on_conflict_do_nothing().returning(ReminderSent.user_id)).scalar()
        return inserted is not None

    def of(self, proposal_id: int) -> dict[str, datetime]:
        """Who was reminded about a poll, and when."""
        return dict(self.session.execute(select(ReminderSent.user_id, ReminderSent.reminded_at)
                                         .where(ReminderSent.proposal_id == proposal_id)).all())
