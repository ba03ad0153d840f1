"""Private messages to one person: each notice's renderer, declared once by its `what`, and delivery by the best
route: response_url, ephemeral, then DM."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.domain.decisions import Position, VoteReceipt
from bot.domain.events import Route
from bot.domain.proposals import Status
from bot.outbound.kinds.base import found
from bot.services import actions, checklists, escalations
from bot.services.polls import read_poll
from bot.services.reviews import get_review
from bot.services.uow import AbstractDatabase
from prompts.blocks.actions import action_notice
from prompts.blocks.checklists import invitation, paused_message, question_message, round_reminder, type_applied
from prompts.blocks.escalations import answered, kept, moved_on, no_route, skipped, topped_out
from prompts.blocks.polls import proxy_notice, when
from prompts.blocks.replies import vote_receipt
from prompts.blocks.reviews import review_done, review_snoozed
from prompts.blocks.schedules import vote_reminder
from prompts.slack_errors import SlackError

WEBHOOK_TIMEOUT = 5
ESCALATION_NOTICES = {"escalation.moved": moved_on, "escalation.no_route": no_route,
                      "escalation.topped_out": topped_out, "escalation.skipped": skipped}
# An ephemeral message needs the bot in the channel; where it can't be, a DM still reaches the person.
EPHEMERAL_UNREACHABLE = frozenset({SlackError.CHANNEL_NOT_FOUND, SlackError.NOT_IN_CHANNEL,
                                   SlackError.USER_NOT_IN_CHANNEL, SlackError.IS_ARCHIVED,
                                   SlackError.METHOD_NOT_SUPPORTED_FOR_CHANNEL_TYPE})

Renderer = Callable[[str, dict, Route, AbstractDatabase], "dict | None"]
NOTICES: dict[str, Renderer] = {}  # each notice's `what`, and how to draw it


def notice(*whats: str) -> Callable[[Renderer], Renderer]:
    """Declare a renderer as drawing the notices named `whats`."""

    def declare(renderer: Renderer) -> Renderer:
        NOTICES.update(dict.fromkeys(whats, renderer))
        return renderer

    return declare


def render(what: str, data: dict, *, to: Route, db: AbstractDatabase) -> dict | None:
    """The message a notice of kind `what` carries, drawn from the state it refers to now; None: no longer due."""
    if what not in NOTICES:
        raise ValueError(f"unknown notice {what!r}")
    return NOTICES[what](what, data, to, db)


@notice("message")
def _drawn(what: str, data: dict, to: Route, db: AbstractDatabase) -> dict:
    return data  # drawn when it was queued


@notice("poll.reminder")
def _vote_reminder(what: str, data: dict, to: Route, db: AbstractDatabase) -> dict | None:
    snap = read_poll(db, data["proposal"])
    voted = {v.user_id for v in snap.tally.counted + snap.tally.superseded}
    still_waiting = snap.proposal.status is Status.OPEN and to.user_id not in voted
    return vote_reminder(snap) if still_waiting else None


@notice("review.done")
def _review_done(what: str, data: dict, to: Route, db: AbstractDatabase) -> dict | None:
    reviewed = get_review(db, data["review"])
    return review_done(reviewed[1]) if reviewed else None


@notice("review.snoozed")
def _review_snoozed(what: str, data: dict, to: Route, db: AbstractDatabase) -> dict | None:
    reviewed = get_review(db, data["review"])
    if reviewed is None:
        return None
    board, review = reviewed
    return review_snoozed(review, datetime.fromisoformat(data["until"]), board.timezone)


@notice("vote.receipt")
def _receipt(what: str, data: dict, to: Route, db: AbstractDatabase) -> dict:
    return vote_receipt(VoteReceipt(**{**data, "position": Position(data["position"])}))


@notice("vote.proxied")
def _proxied(what: str, data: dict, to: Route, db: AbstractDatabase) -> dict:
    return proxy_notice(read_poll(db, data["proposal"]), for_user=to.user_id)


@notice("action.assigned", "action.done")
def _action(what: str, data: dict, to: Route, db: AbstractDatabase) -> dict | None:
    return action_notice(what, data, actions.action_view(db, data["action"], now=db.clock.now()))


@notice("escalations.kept")
def _kept(what: str, data: dict, to: Route, db: AbstractDatabase) -> dict:
    return kept(data)


@notice("escalation.answered")
def _answered(what: str, data: dict, to: Route, db: AbstractDatabase) -> dict:
    e, proposal, board = escalations.read(db, data["escalation"])
    return answered(e, proposal, board.timezone)


@notice(*ESCALATION_NOTICES)
def _escalation(what: str, data: dict, to: Route, db: AbstractDatabase) -> dict:
    e, proposal, board = escalations.read(db, data["escalation"])
    return ESCALATION_NOTICES[what](e, proposal)


@notice("checklist.question")
def _question(what: str, data: dict, to: Route, db: AbstractDatabase) -> dict:
    """A walk-through question (or its end, or the paused note)."""
    step = checklists.show(db, team_id=to.team_id, round_id=data["round"], user_id=to.user_id,
                           question_id=data.get("question"))
    if data.get("paused"):
        return paused_message(step.template)
    return question_message(template=step.template, round_id=found(step.round.id),
                            question_id=step.question.id if step.question else None, answers=step.answers,
                            personal=step.round.personal, board_name=step.board_name)


@notice("checklist.applied")
def _applied(what: str, data: dict, to: Route, db: AbstractDatabase) -> dict:
    r, template, board = checklists.round_view(db, data["round"])
    return type_applied(board.name, board.collaboration_type.value)


@notice("checklist.invite")
def _invitation(what: str, data: dict, to: Route, db: AbstractDatabase) -> dict | None:
    return _while_open(invitation, data["round"], db)


@notice("checklist.reminder")
def _round_reminder(what: str, data: dict, to: Route, db: AbstractDatabase) -> dict | None:
    return _while_open(round_reminder, data["round"], db)


def _while_open(draw: Callable[..., dict], round_id: int, db: AbstractDatabase) -> dict | None:
    """An invitation to a round, or a reminder to finish it, while the round is open."""
    r, template, board = checklists.round_view(db, round_id)
    if not r.is_open:
        return None
    closes = when(r.closes_at, board.timezone) if r.closes_at else None
    return draw(template, board_name=board.name, round_id=r.id, closes=closes)


def webhook(url: str, payload: dict, *, timeout: int = WEBHOOK_TIMEOUT) -> bool:
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
