"""Declared interests: the chair is asked in the poll's thread, and the message they clicked shows the decision."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.events import InterestDecided, InterestDeclared, Route
from bot.domain.jobs import ClaimedJob, Effect
from bot.domain.proposals import InterestDecision
from bot.outbound.kinds.base import JobKind, Payload, SendContext, nobody
from bot.outbound.kinds.polls import told_of_poll
from bot.outbound.notices import webhook
from bot.services import polls
from prompts.blocks.polls import interest_decided, interest_request


@dataclass(frozen=True)
class InterestPayload(Payload):
    """Whose interest, in which poll."""

    proposal: int
    user: str


def ask_chair(ctx: SendContext, job: ClaimedJob, p: InterestPayload) -> dict:
    """Ask the chair, in the poll's thread, to decide on the interest."""
    snap = polls.read_poll(ctx.db, p.proposal)
    answer = ctx.client.chat_postMessage(channel=snap.channel_id, thread_ts=snap.message_ts,
                                         **interest_request(snap, p.user))
    return {"ts": answer["ts"]}


def _asked(event: InterestDeclared) -> list[Effect]:
    return [INTEREST_ASKED.job(f"{event.proposal_id}:{event.user_id}", event.at,
                               InterestPayload(event.proposal_id, event.user_id), event.channel_id)]


INTEREST_ASKED = JobKind("poll.interest", InterestPayload, "chat.postMessage", ask_chair,
                         told_of_poll("the declared interest"), reacts={InterestDeclared: _asked})


@dataclass(frozen=True)
class DecisionPayload(Payload):
    """The chair's decision on an interest, and where the chair clicked."""

    proposal: int
    user: str
    decision: str  # an InterestDecision's value
    chair: Route


def show_decision(ctx: SendContext, job: ClaimedJob, p: DecisionPayload) -> None:
    """Redraw the chair's message with the decision."""
    if p.chair.response_url:
        webhook(p.chair.response_url, {**interest_decided(p.user, InterestDecision(p.decision), p.chair.user_id),
                                       "replace_original": True})


def _decided(event: InterestDecided) -> list[Effect]:
    key = f"{event.proposal_id}:{event.user_id}:{event.decision}:{event.at.isoformat()}"
    return [INTEREST_DECIDED.job(key, event.at, DecisionPayload(event.proposal_id, event.user_id, event.decision,
                                                                event.chair))]


INTEREST_DECIDED = JobKind("interest.decided", DecisionPayload, "response_url", show_decision, nobody,
                           reacts={InterestDecided: _decided})
