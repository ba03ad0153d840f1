"""Endorse and Decline on a sign-off request: a comment form, then one service call."""

from __future__ import annotations

from slack_bolt import App

from bot.services import escalations
from handlers import parse
from handlers.channel_members import SlackChannelMembers
from handlers.deps import deps_of
from handlers.forms import field, notice_view, open_modal, own_form
from prompts.blocks.escalations import answer_modal, answered
from prompts.ids.delegation import DelegationAction, DelegationBlock, DelegationCallback


def ask_comment(ack, body: dict, context, client) -> None:
    """Endorse or Decline clicked: if this person may answer, ask for their comment."""
    deps = deps_of(context)
    at, action_id, value = parse.click(body)
    escalation_id, endorse = parse.record_id(value), action_id == DelegationAction.ENDORSE
    e, proposal = escalations.answerable(deps.db, team_id=at.team_id, escalation_id=escalation_id, actor=at.user_id,
                                         members=SlackChannelMembers(client, deps.channel_members, at.team_id))
    sealed = deps.sealer.seal({"team": at.team_id, "user": at.user_id, "escalation": escalation_id,
                               "endorse": endorse, "channel": at.channel_id, "response_url": at.response_url})
    open_modal(client, at, answer_modal(e, proposal, endorse=endorse, metadata=sealed))
    ack()


def submit_answer(ack, body: dict, context, client) -> None:
    """Record the endorsement or decline, and show what was recorded."""
    deps = deps_of(context)
    at, view, sealed = own_form(deps.sealer, body)
    reply_to = parse.Where(at.team_id, at.user_id, sealed.get("channel"), sealed.get("response_url")).route()
    e, proposal, board = escalations.answer(
        deps.db, team_id=at.team_id, escalation_id=parse.record_id(sealed.get("escalation")), actor=at.user_id,
        endorse=sealed.get("endorse") is True, comment=field(view, DelegationBlock.COMMENT), now=deps.clock.now(),
        reply_to=reply_to, members=SlackChannelMembers(client, deps.channel_members, at.team_id))
    ack(response_action="update", view=notice_view(answered(e, proposal, board.timezone)))


def register(app: App) -> None:
    """Listen for the sign-off buttons and the answer form."""
    app.action(DelegationAction.ENDORSE.value)(ask_comment)
    app.action(DelegationAction.DECLINE.value)(ask_comment)
    app.view(DelegationCallback.ANSWER.value)(submit_answer)
