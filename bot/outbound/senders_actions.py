"""What action jobs do in Slack: DM the owner the working day before an action is due, and once it is overdue."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.clock import Clock
from bot.domain.effects import Kind
from bot.domain.jobs import ClaimedJob
from bot.outbound.client import Sender
from bot.services import actions
from prompts.blocks.actions import action_reminder
from storage.uow import Database


def action_senders(client: WebClient, db: Database, clock: Clock) -> dict[str, Sender]:
    """The senders of the action reminders: each DMs the owner once, and nothing once the action is done."""

    def send(job: ClaimedJob, *, overdue: bool) -> dict:
        view = actions.still_open(db, job.job.payload["action"], now=clock.now())
        if view is None:
            return {"skipped": "done or gone"}
        answer = client.chat_postMessage(channel=view.action.owner, **action_reminder(view, overdue=overdue))
        return {"ts": answer["ts"]}

    return {
        Kind.ACTION_REMIND: Sender("chat.postMessage", lambda job: send(job, overdue=False)),
        Kind.ACTION_OVERDUE: Sender("chat.postMessage", lambda job: send(job, overdue=True)),
    }
