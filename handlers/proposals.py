"""Putting a proposal: the modal's submission opens the poll."""

from __future__ import annotations

from slack_bolt import App

from bot.domain.boards import DecisionRule, parse_choice
from bot.domain.errors import InvalidValue
from bot.domain.money import parse_amount
from bot.services.proposals import create_proposal
from handlers import parse
from handlers.deps import deps_of
from handlers.forms import chosen, field, moment, own_form
from prompts.blocks.poll_modals import CATEGORY_RULE
from prompts.ids.polls import PollBlock, PollCallback


def _rule(raw: str) -> DecisionRule | None:
    if raw in ("", CATEGORY_RULE):
        return None
    return parse_choice(DecisionRule, raw, field_name="rule", label="decision rule")


def submit_proposal(ack, body: dict, context) -> None:
    """Record the proposal in the board of the channel the form was opened in; the poll is posted after."""
    deps = deps_of(context)
    at, view, sealed = own_form(deps.sealer, body)
    closes_at = moment(view, PollBlock.CLOSES_AT)
    if closes_at is None:
        raise InvalidValue("Choose when the poll closes.", field="closes_at")
    create_proposal(
        deps.db, team_id=at.team_id, channel_id=parse.slack_id(sealed.get("channel"), first="CG"),
        actor=at.user_id, request_key=f"view:{parse.slack_id(view.get('id'), first='V')}",
        title=field(view, PollBlock.TITLE), description=field(view, PollBlock.DESCRIPTION),
        category=field(view, PollBlock.CATEGORY), amount=parse_amount(field(view, PollBlock.AMOUNT)),
        closes_at=closes_at, threshold=field(view, PollBlock.THRESHOLD), quorum=field(view, PollBlock.QUORUM),
        rule=_rule(field(view, PollBlock.RULE)), options=chosen(view, PollBlock.OPTIONS),
        marks=chosen(view, PollBlock.MARKS), org_amounts=field(view, PollBlock.ORG_AMOUNTS), now=deps.clock.now(),
    )
    ack()


def register(app: App) -> None:
    """Listen for the proposal modal's submission."""
    app.view(PollCallback.PROPOSE.value)(submit_proposal)
