"""The escalation-chain form, and the chair's Reviewed button on decisions taken under delegation."""

from __future__ import annotations

from slack_bolt import App

from bot.domain.delegation import Level
from bot.domain.errors import InvalidValue
from bot.domain.scheme import parse_grant
from bot.services import chains
from handlers import parse
from handlers.deps import deps_of
from handlers.forms import field, notice_view, open_modal, own_form, people
from prompts.blocks.chains import SLOTS, chain_saved, review_note_modal, reviewed, slot_block
from prompts.ids.delegation import DelegationAction, DelegationBlock, DelegationCallback


def _days(raw: str, *, position: int) -> int:
    text = raw.strip() or "5"
    if not (text.isascii() and text.isdigit()):
        raise InvalidValue(f"Level {position}: give the working days to answer as a whole number, such as 5.",
                           field=f"level_{position}")
    return int(text)


def _level(view: dict, position: int) -> Level | None:
    def get(name: str) -> str:
        return field(view, slot_block(position, name)).strip()
    title, approvers, channel, limit = get("title"), people(view, slot_block(position, "approvers")), \
        get("channel"), get("limit")
    if not (title or approvers or channel or limit or get("days")):
        return None
    grant = parse_grant(limit, money=True, field_name=f"level_{position}") if limit else None
    if grant is None or not (grant.unlimited or grant.amount_pence):
        raise InvalidValue(f"Level {position}: give the limit it can approve up to, such as 100k, or unlimited.",
                           field=f"level_{position}")
    return Level(position=position, title=title, approvers=approvers,
                 channel_id=parse.slack_id(channel, first="CG") if channel else None,
                 limit_pence=None if grant.unlimited else grant.amount_pence,
                 response_days=_days(get("days"), position=position))


def submit_chain(ack, body: dict, context) -> None:
    """Save the organisation's chain as typed (chair or secretary)."""
    deps = deps_of(context)
    at, view, sealed = own_form(deps.sealer, body)
    levels = [level for n in range(1, SLOTS + 1) if (level := _level(view, n)) is not None]
    change = chains.save_chain(deps.db, team_id=at.team_id, channel_id=parse.slack_id(sealed.get("channel"),
                                                                                      first="CG"),
                               actor=at.user_id, organisation_id=parse.record_id(sealed.get("organisation")),
                               levels=levels, now=deps.clock.now())
    ack(response_action="update", view=notice_view(chain_saved(change)))


def ask_review_note(ack, body: dict, context, client) -> None:
    """Reviewed clicked on a decision taken under delegation: ask the chair for a note."""
    deps = deps_of(context)
    at, _, value = parse.click(body)
    item = chains.queued(deps.db, team_id=at.team_id, proposal_id=parse.record_id(value), actor=at.user_id)
    sealed = deps.sealer.seal({"team": at.team_id, "user": at.user_id, "proposal": item.proposal_id})
    open_modal(client, at, review_note_modal(item, metadata=sealed))
    ack()


def submit_review_note(ack, body: dict, context) -> None:
    """Mark the decision reviewed, with the chair's note."""
    deps = deps_of(context)
    at, view, sealed = own_form(deps.sealer, body)
    item = chains.mark_reviewed(deps.db, team_id=at.team_id, proposal_id=parse.record_id(sealed.get("proposal")),
                                actor=at.user_id, note=field(view, DelegationBlock.NOTE), now=deps.clock.now())
    ack(response_action="update", view=notice_view(reviewed(item)))


def register(app: App) -> None:
    """Listen for the chain form and the delegated-review button and form."""
    app.view(DelegationCallback.CHAIN.value)(submit_chain)
    app.action(DelegationAction.REVIEWED.value)(ask_review_note)
    app.view(DelegationCallback.REVIEWED.value)(submit_review_note)
