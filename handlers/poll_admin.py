"""Poll management: declared interests and recusal, proxy votes, extending, closing and withdrawing."""

from __future__ import annotations

from slack_bolt import App

from bot.domain.decisions import Position
from bot.domain.errors import InvalidValue
from bot.domain.proposals import Ability
from bot.services import proposals as svc
from handlers import parse
from handlers.deps import Deps, deps_of
from handlers.forms import field, moment, open_modal
from handlers.parse import Where
from prompts.blocks.poll_modals import extend_modal, interest_modal, proxy_modal
from prompts.ids.polls import PollAction, PollBlock, PollCallback

MODALS = {
    PollAction.DECLARE_INTEREST: (Ability.DECLARE, lambda snap, sealed: interest_modal(
        title=snap.proposal.title, metadata=sealed)),
    PollAction.PROXY: (Ability.PROXY, lambda snap, sealed: proxy_modal(metadata=sealed)),
    PollAction.EXTEND: (Ability.STEER, lambda snap, sealed: extend_modal(
        closes_at=snap.proposal.closes_at, metadata=sealed)),
}


def open_manage_modal(ack, body: dict, context, client) -> None:
    """Declare an interest, Proxy vote or Extend: check the person may, then open the form."""
    deps = deps_of(context)
    at, action_id, value = parse.click(body)
    ability, build = MODALS[PollAction(action_id)]
    proposal_id = parse.record_id(value)
    snap = svc.check_may(deps.db, team_id=at.team_id, proposal_id=proposal_id, actor=at.user_id, ability=ability)
    open_modal(client, at, build(snap, deps.sealer.seal({"proposal": proposal_id, "channel": at.channel_id})))
    ack()


def close_poll(ack, body: dict, context) -> None:
    """Close now, or Withdraw: decided at once, and the poll is redrawn with its outcome."""
    deps = deps_of(context)
    at, action_id, value = parse.click(body)
    proposal_id = parse.record_id(value)
    svc.close_now(deps.db, team_id=at.team_id, proposal_id=proposal_id, actor=at.user_id, now=deps.clock.now(),
                  withdraw=action_id == PollAction.WITHDRAW)
    ack()


def _sealed_proposal(deps: Deps, body: dict) -> tuple[Where, dict, int]:
    at, view = parse.submission(body)
    return at, view, parse.record_id(deps.sealer.open(view).get("proposal"))


def submit_interest(ack, body: dict, context) -> None:
    """A declared interest: recorded; the chair is asked in the poll's thread after the answer."""
    deps = deps_of(context)
    at, view, proposal_id = _sealed_proposal(deps, body)
    svc.declare_interest(deps.db, team_id=at.team_id, proposal_id=proposal_id, actor=at.user_id,
                         reason=field(view, PollBlock.REASON), now=deps.clock.now())
    ack()


def submit_extend(ack, body: dict, context) -> None:
    """A later closing time for the poll."""
    deps = deps_of(context)
    at, view, proposal_id = _sealed_proposal(deps, body)
    closes_at = moment(view, PollBlock.CLOSES_AT)
    if closes_at is None:
        raise InvalidValue("Choose the new closing time.", field="closes_at")
    svc.extend(deps.db, team_id=at.team_id, proposal_id=proposal_id, actor=at.user_id, closes_at=closes_at,
               now=deps.clock.now())
    ack()


def submit_proxy(ack, body: dict, context) -> None:
    """The chair's proxy vote for an absent member, who is told by DM after the answer."""
    deps = deps_of(context)
    at, view, proposal_id = _sealed_proposal(deps, body)
    member = field(view, PollBlock.PROXY_MEMBER)
    if not member:
        raise InvalidValue("Choose the member you are voting for.", field="proxy_member")
    try:
        position = Position(field(view, PollBlock.PROXY_POSITION))
    except ValueError:
        raise InvalidValue("Choose the position to record.", field="position") from None
    svc.record_proxy(deps.db, team_id=at.team_id, proposal_id=proposal_id, actor=at.user_id,
                     for_user=parse.slack_id(member, first="UW"), position=position,
                     reason=field(view, PollBlock.PROXY_REASON), now=deps.clock.now())
    ack()


def decide_interest(ack, body: dict, context) -> None:
    """The chair's recusal or permission after a declared interest; the thread message shows the decision."""
    deps = deps_of(context)
    at, action_id, value = parse.click(body)
    target = parse.json_object(value)
    user_id, proposal_id = parse.slack_id(target.get("user"), first="UW"), parse.record_id(target.get("proposal"))
    svc.decide_interest(deps.db, team_id=at.team_id, proposal_id=proposal_id, actor=at.user_id, user_id=user_id,
                        recuse=action_id == PollAction.RECUSE, now=deps.clock.now(), reply_to=at.route())
    ack()


def register(app: App) -> None:
    """Listen for the poll's management buttons and their modals."""
    for action in MODALS:
        app.action(action.value)(open_manage_modal)
    app.action(PollAction.CLOSE_NOW.value)(close_poll)
    app.action(PollAction.WITHDRAW.value)(close_poll)
    app.action(PollAction.RECUSE.value)(decide_interest)
    app.action(PollAction.ALLOW.value)(decide_interest)
    app.view(PollCallback.DECLARE_INTEREST.value)(submit_interest)
    app.view(PollCallback.EXTEND.value)(submit_extend)
    app.view(PollCallback.PROXY.value)(submit_proxy)
