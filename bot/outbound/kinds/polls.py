"""A poll's jobs: its message drawn (and redrawn), its deadline, the reminder to non-voters, and its outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from slack_sdk.errors import SlackApiError

from bot.domain.events import DeadlineSet, OutcomeSettled, PollChanged, PollClosed, Route
from bot.domain.events_governance import VoteRecorded
from bot.domain.jobs import Cancel, ClaimedJob, Effect, Outcome, OutcomeKind, Reschedule, SendFailure
from bot.domain.proposals import Status
from bot.outbound.client import NotReady
from bot.outbound.kinds.base import (
    JobKind,
    Lock,
    Payload,
    SendContext,
    Told,
    found,
    nobody,
    post_joining,
)
from bot.services import polls, schedules
from bot.services.uow import AbstractUnitOfWork
from prompts.blocks.polls import outcome_message, poll_message
from prompts.blocks.replies import delivery_failed
from prompts.slack_errors import SlackError

REDRAW_SPACING = timedelta(seconds=1)  # chat.update is Tier 3: about one a second per message is plenty


class NotYet(NotReady):
    """An outcome whose poll is not posted yet: retried shortly (and at once when the poll is posted)."""


@dataclass(frozen=True)
class PollPayload(Payload):
    """Which poll."""

    proposal: int


def told_of_poll(what: str):
    """The audience of a poll's message that failed for good: its proposer, told that `what` was not posted."""

    def audience(uow: AbstractUnitOfWork, p: PollPayload, failure: SendFailure) -> Told:
        proposal = found(uow.proposals.get(p.proposal, with_votes=False))
        board = found(uow.boards.get(found(proposal.board_id), only=[]))
        return Route(board.team_id, proposal.proposer), delivery_failed(what, proposal.title, proposal.channel_id,
                                                                       failure.code)

    return audience


# The deadline: the poll closes then unless something closed it first.

def close_poll(ctx: SendContext, job: ClaimedJob, p: PollPayload) -> dict:
    """Close the poll if its deadline has come."""
    return {"closed": polls.close_if_due(ctx.db, proposal_id=p.proposal, now=ctx.clock.now())}


def _deadline(event: DeadlineSet) -> list[Effect]:
    key = POLL_CLOSE.key(event.proposal_id)
    return [POLL_CLOSE.job(event.proposal_id, event.closes_at, PollPayload(event.proposal_id)),
            Reschedule(key, event.closes_at)]


def _closed(event: PollClosed) -> list[Effect]:
    return [Cancel(POLL_CLOSE.key(event.proposal_id))]


POLL_CLOSE = JobKind("poll.close", PollPayload, "database", close_poll, nobody,
                     reacts={DeadlineSet: _deadline, PollClosed: _closed})


# The reminder to those who have not voted, some time before the deadline.

def remind_poll(ctx: SendContext, job: ClaimedJob, p: PollPayload) -> dict:
    """Remind the poll's non-voters (each by a notice of their own)."""
    return {"reminded": schedules.remind_non_voters(ctx.db, proposal_id=p.proposal, now=ctx.clock.now())}


def _reminder(event: DeadlineSet) -> list[Effect]:
    key = POLL_REMIND.key(event.proposal_id)
    if event.remind_at is None:
        return [Cancel(key)]
    return [POLL_REMIND.job(event.proposal_id, event.remind_at, PollPayload(event.proposal_id)),
            Reschedule(key, event.remind_at)]


def _no_reminder(event: PollClosed) -> list[Effect]:
    return [Cancel(POLL_REMIND.key(event.proposal_id))]


POLL_REMIND = JobKind("poll.remind", PollPayload, "database", remind_poll, nobody,
                      reacts={DeadlineSet: _reminder, PollClosed: _no_reminder})


# The poll's message: drawn from the poll's state when it runs, so one job per poll whatever changed.

def draw_poll(ctx: SendContext, job: ClaimedJob, p: PollPayload) -> dict:
    """Update the poll's message, or post it (again, if it was deleted)."""
    snap = polls.read_poll(ctx.db, p.proposal)
    content = poll_message(snap)
    if snap.message_ts is not None:
        try:
            ctx.client.chat_update(channel=snap.channel_id, ts=snap.message_ts, **content)
            return {"ts": snap.message_ts}
        except SlackApiError as exc:
            if exc.response.get("error") != SlackError.MESSAGE_NOT_FOUND:
                raise
    return {"ts": post_joining(ctx.client, snap.channel_id, content)["ts"], "posted": True}


def _redraw(event: PollChanged | VoteRecorded | PollClosed | OutcomeSettled) -> list[Effect]:
    # A redraw is chat.update of one message: its own spacing paces it, not the channel's budget for posts
    # (its first draw is a post, and a poll's first post is one of a handful in a channel).
    return [POLL_RENDER.job(event.proposal_id, event.at, PollPayload(event.proposal_id), redraw=True,
                            spacing=REDRAW_SPACING)]


def _posted(uow: AbstractUnitOfWork, p: PollPayload, result: dict | None) -> None:
    if result and result.get("posted"):
        uow.proposals.set_message(p.proposal, result["ts"])
        # An outcome that found no poll to reply under is waiting out a backoff: it can go now.
        uow.outbox.bring_forward(POLL_OUTCOME.key(p.proposal), now=uow.clock.now())


def _posted_locks(p: PollPayload, outcome: Outcome) -> list[tuple[Lock, int]]:
    posted = outcome.kind is OutcomeKind.SENT and (outcome.result or {}).get("posted")
    return [(Lock.PROPOSAL, p.proposal)] if posted else []


POLL_RENDER = JobKind("poll.render", PollPayload, "chat.update", draw_poll, told_of_poll("the poll"),
                      reacts={PollChanged: _redraw, VoteRecorded: _redraw, PollClosed: _redraw,
                              OutcomeSettled: _redraw},
                      on_sent=_posted, locks=_posted_locks)


# The outcome, in the poll's thread: once when it closes, and again whenever an endorsement settles it.

def post_outcome(ctx: SendContext, job: ClaimedJob, p: PollPayload) -> dict | None:
    """Reply with the outcome in the poll's thread, broadcast to the channel."""
    snap = polls.read_poll(ctx.db, p.proposal)
    if snap.proposal.status is not Status.CLOSED:
        return None
    if snap.message_ts is None:
        raise NotYet("the poll message is not posted yet")
    answer = ctx.client.chat_postMessage(channel=snap.channel_id, thread_ts=snap.message_ts, reply_broadcast=True,
                                         **outcome_message(snap))
    return {"ts": answer["ts"]}


def _outcome(event: PollClosed | OutcomeSettled) -> list[Effect]:
    key = event.proposal_id if isinstance(event, PollClosed) else f"{event.proposal_id}:{event.at.isoformat()}"
    return [POLL_OUTCOME.job(key, event.at, PollPayload(event.proposal_id), event.channel_id)]


POLL_OUTCOME = JobKind("poll.outcome", PollPayload, "chat.postMessage", post_outcome, told_of_poll("the outcome"),
                       reacts={PollClosed: _outcome, OutcomeSettled: _outcome})
