"""Vote buttons on a poll, and the reason modal for objections and reservations."""

from __future__ import annotations

import re

from slack_bolt import App

from bot.domain.decisions import POSITIONS_NEEDING_REASON, Position
from bot.domain.events import Route
from bot.domain.proposals import Ability
from bot.services.proposals import check_may, record_vote
from handlers import parse
from handlers.deps import deps_of
from handlers.forms import field, open_modal
from handlers.parse import Malformed
from prompts.blocks.poll_modals import reason_modal
from prompts.blocks.polls import VOTE_ACTIONS
from prompts.ids.polls import PollBlock, PollCallback

POSITION_OF = {action.value: position for position, action in VOTE_ACTIONS.items()}
VOTE_PATTERN = re.compile("^(" + "|".join(POSITION_OF) + ")$")


def vote(ack, body: dict, context, client) -> None:
    """A vote button: record the position (the receipt follows), or ask why first for an objection."""
    deps = deps_of(context)
    at, action_id, value = parse.click(body)
    position, proposal_id = POSITION_OF[action_id], parse.record_id(value)
    if position in POSITIONS_NEEDING_REASON:
        snap = check_may(deps.db, team_id=at.team_id, proposal_id=proposal_id, actor=at.user_id,
                         ability=Ability.VOTE)
        open_modal(client, at, reason_modal(position=position, title=snap.proposal.title, metadata=deps.sealer.seal(
            {"proposal": proposal_id, "position": position.value, "channel": at.channel_id})))
        ack()
        return
    record_vote(deps.db, team_id=at.team_id, proposal_id=proposal_id, actor=at.user_id, position=position,
                now=deps.clock.now(), reply_to=at.route())
    ack()


def submit_reason(ack, body: dict, context) -> None:
    """The reason for an objection or reservation, recorded with the position."""
    deps = deps_of(context)
    at, view = parse.submission(body)
    sealed = deps.sealer.open(view)
    try:
        position, proposal_id = Position(sealed.get("position")), parse.record_id(sealed.get("proposal"))
    except ValueError:
        raise Malformed() from None
    channel = sealed.get("channel") if isinstance(sealed.get("channel"), str) else None
    record_vote(deps.db, team_id=at.team_id, proposal_id=proposal_id, actor=at.user_id, position=position,
                reason=field(view, PollBlock.REASON), now=deps.clock.now(),
                reply_to=Route(at.team_id, at.user_id, channel))
    ack()


def register(app: App) -> None:
    """Listen for vote clicks and reason submissions."""
    app.action(VOTE_PATTERN)(vote)
    app.view(PollCallback.VOTE_REASON.value)(submit_reason)
