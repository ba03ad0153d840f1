"""A governance review's reminder, due at each occurrence (or a snooze's end), posted where the review says."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.events import ReviewScheduled, Route
from bot.domain.jobs import ClaimedJob, Effect, Outcome, SendFailure
from bot.domain.reviews import ReviewKind
from bot.outbound.kinds.base import JobKind, Lock, Payload, SendContext, Told, found, post_joining
from bot.services import chains, reviews, rounds
from bot.services.uow import AbstractUnitOfWork
from prompts.blocks.chains import delegated_blocks
from prompts.blocks.common import section
from prompts.blocks.delivery import reminder_undelivered
from prompts.blocks.reviews import review_reminder


@dataclass(frozen=True)
class ReviewPayload(Payload):
    """Which review, the occurrence it is for, and whether this reminder is a snooze's."""

    review: int
    due: datetime
    snooze: bool = False


def post_review(ctx: SendContext, job: ClaimedJob, p: ReviewPayload) -> dict | None:
    """Post the reminder in the board's channel (or to whoever the review tells), opening a reassessment's round."""
    got = reviews.get_review(ctx.db, p.review)
    if got is None:
        return None
    board, review = got
    content = review_reminder(review, board_name=board.name, timezone=board.timezone)
    if review.kind is ReviewKind.REASSESSMENT and review.template_id:
        rounds.open_scheduled(ctx.db, board_id=found(board.id), template_id=review.template_id, now=ctx.clock.now())
    if review.kind is ReviewKind.DELEGATED:  # the retrospective review: post the queue with its risks
        queue = chains.queue_of_board(ctx.db, found(board.id))
        content["blocks"] += delegated_blocks(board, queue, limit=40) or [
            section("No decisions taken under delegation are waiting for review.")]
    if reviews.tells_channel(review):
        return {"ts": post_joining(ctx.client, board.channel_id, content)["ts"]}
    return {"ts": ctx.client.chat_postMessage(channel=review.tell, **content)["ts"]}


def _scheduled(event: ReviewScheduled) -> list[Effect]:
    # The job carries its own due moment: a retry may move the job's due time, not which reminder it is.
    return [REVIEW_DUE.job(f"{event.review_id}:{event.due_at.isoformat()}", event.due_at,
                           ReviewPayload(event.review_id, event.due_at, event.snooze))]


def _advance(uow: AbstractUnitOfWork, p: ReviewPayload, result: dict | None = None) -> None:
    # Sent or not, the series carries on: a reminder that could not be posted does not stop next year's.
    if not p.snooze:
        reviews.advance(uow, p.review, now=uow.clock.now(), sent_for=p.due)


def _locks(p: ReviewPayload, outcome: Outcome) -> list[tuple[Lock, int]]:
    return [(Lock.REVIEW, p.review)]


def _creator(uow: AbstractUnitOfWork, p: ReviewPayload, failure: SendFailure) -> Told | None:
    review = uow.reviews.get(p.review)
    board = uow.boards.get(review.board_id, only=[]) if review else None
    if review is None or board is None:
        return None
    return Route(board.team_id, review.created_by), reminder_undelivered(review.title, board.channel_id,
                                                                         error=failure.code, needed=failure.needed)


REVIEW_DUE = JobKind("review.due", ReviewPayload, "chat.postMessage", post_review, _creator,
                     reacts={ReviewScheduled: _scheduled}, on_sent=_advance, on_failed=_advance, locks=_locks)
