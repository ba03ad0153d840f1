"""`/collab authority`, `chain`, `deputy`, `escalations` and `review-delegated`, and the authority form."""

from __future__ import annotations

from slack_bolt import App

from bot.domain.boards import DecisionRule, parse_choice
from bot.services import authority, chains, escalations
from handlers import parse
from handlers.deps import Deps, deps_of
from handlers.forms import day, field, notice_view, open_modal, own_form
from handlers.grammar import delegation as d
from handlers.parse import Where
from prompts.blocks.chains import chain_modal, delegated_list, deputy_added, rule_saved, rules_list
from prompts.blocks.escalations import escalation_list
from prompts.blocks.scheme import authority_modal, limit_set, scheme_view
from prompts.ids.delegation import DelegationBlock, DelegationCallback


def _sealed(at: Where, deps: Deps, **extra) -> str:
    return deps.sealer.seal({"team": at.team_id, "user": at.user_id, "channel": at.channel_id, **extra})


def run_delegation(cmd: d.DelegationCommand, at: Where, *, deps: Deps, client) -> dict | None:
    """Carry out one delegation command; the ephemeral reply, or None when a modal opened instead."""
    db, where, now = deps.db, {"team_id": at.team_id, "channel_id": at.channel_id}, deps.clock.now()
    match cmd:
        case d.AuthorityShow(user_id=user_id):
            scheme = authority.limits_of(db, **where, actor=at.user_id, user_id=user_id or at.user_id, now=now)
            return scheme_view(scheme, own=scheme.user_id == at.user_id)
        case d.AuthoritySet(user_id=user_id, category=category, limit=limit, valid_from=starts, valid_until=ends):
            saved = authority.set_limit(db, **where, actor=at.user_id, user_id=user_id, category=category,
                                        limit=limit, valid_from=starts, valid_until=ends, now=now)
            return limit_set(user_id, saved)
        case d.AuthorityForm():
            categories, today = authority.form(db, **where, actor=at.user_id, now=now)
            open_modal(client, at, authority_modal(categories, today=today, metadata=_sealed(at, deps)))
            return None
        case d.ChainEdit(organisation=organisation):
            org, chain = chains.chain_form(db, **where, actor=at.user_id, organisation=organisation)
            open_modal(client, at, chain_modal(org, chain, metadata=_sealed(at, deps, organisation=org.id)))
            return None
        case d.DeputyAdd(approver=approver, deputy=deputy, organisation=org, from_date=starts, until_date=ends):
            found, saved = chains.add_deputy(db, **where, actor=at.user_id, approver=approver, deputy=deputy,
                                             organisation=org, from_date=starts, until_date=ends, now=now)
            return deputy_added(found, saved)
        case d.Escalations():
            mine, others = escalations.waiting(db, team_id=at.team_id, user_id=at.user_id)
            return escalation_list(mine, others)
        case d.RulesShow():
            return rules_list(*chains.category_rules(db, **where))
        case d.RuleSet(category=category, rule=rule, threshold=threshold):
            chosen = None if rule == "default" else parse_choice(DecisionRule, rule, field_name="rule",
                                                                 label="decision rule")
            return rule_saved(*chains.set_category_rule(db, **where, actor=at.user_id, category=category,
                                                        rule=chosen, threshold=threshold, now=now))
        case d.DelegatedQueue():
            board, queue = chains.delegated_queue(db, **where)
            return delegated_list(board, queue)
    raise TypeError(f"no handler for {type(cmd).__name__}")


def submit_authority(ack, body: dict, context) -> None:
    """Save a member's limit from the form (chair or secretary)."""
    deps = deps_of(context)
    at, view, sealed = own_form(deps.sealer, body)
    b = DelegationBlock
    user_id = parse.slack_id(field(view, b.MEMBER), first="UW")
    saved = authority.set_limit(deps.db, team_id=at.team_id, channel_id=parse.slack_id(sealed.get("channel"),
                                                                                       first="CG"),
                                actor=at.user_id, user_id=user_id, category=field(view, b.CATEGORY),
                                limit=field(view, b.LIMIT), valid_from=day(view, b.VALID_FROM),
                                valid_until=day(view, b.VALID_UNTIL), now=deps.clock.now())
    ack(response_action="update", view=notice_view(limit_set(user_id, saved)))


def register(app: App) -> None:
    """Listen for the authority form."""
    app.view(DelegationCallback.AUTHORITY.value)(submit_authority)
