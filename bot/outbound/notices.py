"""Private messages to one person, delivered by the best route: response_url, ephemeral, then DM."""

from __future__ import annotations

from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.domain.decisions import Position, VoteReceipt
from bot.domain.events import Route
from bot.domain.proposals import Status
from bot.services import actions, checklists, escalations
from bot.services.polls import read_poll
from bot.services.reviews import get_review
from prompts.blocks.actions import action_notice
from prompts.blocks.checklists import invitation, paused_message, question_message, round_reminder, type_applied
from prompts.blocks.escalations import answered, kept, moved_on, no_route, skipped, topped_out
from prompts.blocks.polls import proxy_notice, when
from prompts.blocks.replies import vote_receipt
from prompts.blocks.reviews import review_done, review_snoozed
from prompts.blocks.schedules import vote_reminder
from storage.uow import Database

WEBHOOK_TIMEOUT = 5
ESCALATION_NOTICES = {"escalation.moved": moved_on, "escalation.no_route": no_route,
                      "escalation.topped_out": topped_out, "escalation.skipped": skipped}
# An ephemeral message needs the bot in the channel; where it can't be, a DM still reaches the person.
EPHEMERAL_UNREACHABLE = frozenset({"channel_not_found", "not_in_channel", "user_not_in_channel", "is_archived",
                                   "method_not_supported_for_channel_type"})


def render(what: str, data: dict, *, to: Route, db: Database) -> dict | None:
    """The message a notice of kind `what` carries, drawn from the state it refers to now; None: no longer due."""
    if what == "poll.reminder":
        snap = read_poll(db, data["proposal"])
        voted = {v.user_id for v in snap.tally.counted + snap.tally.superseded}
        still_waiting = snap.proposal.status is Status.OPEN and to.user_id not in voted
        return vote_reminder(snap) if still_waiting else None
    if what in ("review.done", "review.snoozed"):
        found = get_review(db, data["review"])
        if found is None:
            return None
        board, review = found
        return review_done(review) if what == "review.done" else review_snoozed(
            review, datetime.fromisoformat(data["until"]), board.timezone)
    if what == "vote.receipt":
        return vote_receipt(VoteReceipt(**{**data, "position": Position(data["position"])}))
    if what == "vote.proxied":
        return proxy_notice(read_poll(db, data["proposal"]), for_user=to.user_id)
    if what.startswith("checklist."):
        return checklist_notice(what, data, to=to, db=db)
    if what.startswith("action."):
        return action_notice(what, data, actions.action_view(db, data["action"], now=db.clock.now()))
    if what == "escalations.kept":
        return kept(data)
    if what.startswith("escalation."):
        e, proposal, board = escalations.read(db, data["escalation"])
        if what == "escalation.answered":
            return answered(e, proposal, board.timezone)
        return ESCALATION_NOTICES[what](e, proposal)
    if what == "message":
        return data
    raise ValueError(f"unknown notice {what!r}")


def checklist_notice(what: str, data: dict, *, to: Route, db: Database) -> dict | None:
    """A walk-through question (or its end, or the paused note), an invitation or a reminder to finish."""
    if what == "checklist.question":
        step = checklists.show(db, team_id=to.team_id, round_id=data["round"], user_id=to.user_id,
                               question_id=data.get("question"))
        if data.get("paused"):
            return paused_message(step.template)
        return question_message(template=step.template, round_id=step.round.id,
                                question_id=step.question.id if step.question else None, answers=step.answers,
                                personal=step.round.personal, board_name=step.board_name)
    r, template, board = checklists.round_view(db, data["round"])
    if what == "checklist.applied":
        return type_applied(board.name, board.collaboration_type.value)
    if not r.is_open:
        return None
    closes = when(r.closes_at, board.timezone) if r.closes_at else None
    draw = invitation if what == "checklist.invite" else round_reminder
    return draw(template, board_name=board.name, round_id=r.id, closes=closes)


def webhook(url: str, payload: dict, *, timeout: float = WEBHOOK_TIMEOUT) -> bool:
    """Post to a response_url; whether Slack took it (a dead or expired url is not an error)."""
    try:
        return WebhookClient(url, timeout=timeout).send_dict(payload).status_code == 200
    except OSError:
        return False


def deliver(client: WebClient, to: Route, content: dict | None) -> dict:
    """Send `content` privately to `to`; errors other than "can't reach them there" are raised for a retry."""
    if content is None:
        return {"skipped": "no longer due"}
    if to.response_url and webhook(to.response_url, {**content, "response_type": "ephemeral",
                                                     "replace_original": False}):
        return {"via": "response_url"}
    if to.channel_id:
        try:
            client.chat_postEphemeral(channel=to.channel_id, user=to.user_id, **content)
            return {"via": "ephemeral"}
        except SlackApiError as exc:
            if exc.response.get("error") not in EPHEMERAL_UNREACHABLE:
                raise
    answer = client.chat_postMessage(channel=to.user_id, **content)
    return {"via": "dm", "ts": answer.get("ts")}
