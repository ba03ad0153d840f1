"""An action's jobs: DM the owner the working day before it is due, and once it is overdue."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.events import ActionScheduled
from bot.domain.jobs import ClaimedJob, Effect
from bot.outbound.kinds.base import JobKind, Payload, SendContext, nobody
from bot.services import actions
from prompts.blocks.actions import action_reminder


@dataclass(frozen=True)
class ActionPayload(Payload):
    """Which action."""

    action: int


def _remind_owner(ctx: SendContext, p: ActionPayload, *, overdue: bool) -> dict:
    view = actions.still_open(ctx.db, p.action, now=ctx.clock.now())
    if view is None:
        return {"skipped": "done or gone"}
    answer = ctx.client.chat_postMessage(channel=view.action.owner, **action_reminder(view, overdue=overdue))
    return {"ts": answer["ts"]}


def remind_action(ctx: SendContext, job: ClaimedJob, p: ActionPayload) -> dict:
    """DM the owner that the action is due on the next working day, unless it is done."""
    return _remind_owner(ctx, p, overdue=False)


def _remind(event: ActionScheduled) -> list[Effect]:
    if event.remind_at is None:
        return []
    return [ACTION_REMIND.job(event.action_id, event.remind_at, ActionPayload(event.action_id))]


# A reminder to its owner that fails is the one person's: logged and audited only.
ACTION_REMIND = JobKind("action.remind", ActionPayload, "chat.postMessage", remind_action, nobody,
                        reacts={ActionScheduled: _remind})


def overdue_action(ctx: SendContext, job: ClaimedJob, p: ActionPayload) -> dict:
    """DM the owner that the action is overdue, unless it is done."""
    return _remind_owner(ctx, p, overdue=True)


def _overdue(event: ActionScheduled) -> list[Effect]:
    return [ACTION_OVERDUE.job(event.action_id, event.overdue_at, ActionPayload(event.action_id))]


ACTION_OVERDUE = JobKind("action.overdue", ActionPayload, "chat.postMessage", overdue_action, nobody,
                         reacts={ActionScheduled: _overdue})
