"""A sign-off escalation's jobs: each approver (or a level's channel) asked, and the timer of each due moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.escalation import EscalationState
from bot.domain.events import EscalationAsked, EscalationEnded, Route
from bot.domain.jobs import Cancel, ClaimedJob, Effect, SendFailure
from bot.outbound.kinds.base import JobKind, Payload, SendContext, Told, chair_of, nobody, post_joining
from bot.services import escalations
from bot.services.uow import AbstractUnitOfWork
from prompts.blocks.escalations import ask_message
from prompts.blocks.replies import delivery_failed


@dataclass(frozen=True)
class AskPayload(Payload):
    """Which escalation, who is asked (a user, or a level's channel), and whether this is the second asking."""

    escalation: int
    to: str
    reminder: bool


def ask_approver(ctx: SendContext, job: ClaimedJob, p: AskPayload) -> dict | None:
    """Ask the approver (by DM) or the level's channel to endorse, unless it was answered meanwhile."""
    e, proposal, board = escalations.read(ctx.db, p.escalation)
    if e.state is not EscalationState.OPEN:
        return None  # answered or withdrawn before this request went out
    content = ask_message(e, proposal, board, reminder=p.reminder)
    if p.to[0] in "CG":  # a level answered in a channel
        return {"ts": post_joining(ctx.client, p.to, content)["ts"]}
    return {"ts": ctx.client.chat_postMessage(channel=p.to, **content)["ts"]}


def _asked(event: EscalationAsked) -> list[Effect]:
    step = f"{event.escalation_id}:{event.level}:{'reminder' if event.reminder else 'ask'}"
    return [ESCALATION_ASK.job(f"{step}:{to}", event.at, AskPayload(event.escalation_id, to, event.reminder), to)
            for to in event.recipients]


def _chair(uow: AbstractUnitOfWork, p: AskPayload, failure: SendFailure) -> Told | None:
    e = uow.escalations.get(p.escalation)
    proposal = uow.proposals.get(e.proposal_id, with_votes=False) if e else None
    board = uow.boards.get(proposal.board_id) if proposal and proposal.board_id is not None else None
    if e is None or proposal is None or board is None:
        return None
    chair = chair_of(board) or proposal.proposer
    return Route(board.team_id, chair), delivery_failed(f"the request for {e.organisation}'s sign-off", proposal.title,
                                                        proposal.channel_id, failure.code)


ESCALATION_ASK = JobKind("escalation.ask", AskPayload, "chat.postMessage", ask_approver, _chair,
                         reacts={EscalationAsked: _asked})


@dataclass(frozen=True)
class DuePayload(Payload):
    """Which escalation, and the due moment this timer is for."""

    escalation: int
    due: datetime


def escalation_due(ctx: SendContext, job: ClaimedJob, p: DuePayload) -> dict:
    """Move the escalation on (remind, or go up a level) if it is still waiting at this due moment."""
    step = escalations.on_due(ctx.db, escalation_id=p.escalation, due=p.due, now=ctx.clock.now())
    return {"step": step.value if step else None}


def due_key(escalation_id: int, due_at: datetime) -> str:
    """The key of an escalation's timer for one due moment."""
    return ESCALATION_DUE.key(escalation_id, due_at.isoformat())


def _timer(event: EscalationAsked) -> list[Effect]:
    # The timer carries its own due moment, so a later level's timer never stands in for this one.
    if event.due_at is None:
        return []
    return [ESCALATION_DUE.job(f"{event.escalation_id}:{event.due_at.isoformat()}", event.due_at,
                               DuePayload(event.escalation_id, event.due_at))]


def _ended(event: EscalationEnded) -> list[Effect]:
    return [Cancel(due_key(event.escalation_id, event.due_at))] if event.due_at else []


ESCALATION_DUE = JobKind("escalation.due", DuePayload, "database", escalation_due, nobody,
                         reacts={EscalationAsked: _timer, EscalationEnded: _ended})
