"""Organisations' escalation chains and deputies, and the board's queue of decisions taken under delegation."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from bot.domain import delegation as dl
from bot.domain.boards import Board, DecisionRule, Organisation, ensure_can_manage
from bot.domain.delegated import ChainChange, Delegated, Queued, delegation_risks, review_note
from bot.domain.errors import NotAllowed, NotFound
from bot.domain.events import PollChanged
from bot.domain.proposals import Category, ensure_chair, parse_threshold
from bot.domain.text import escape
from bot.services.authority import category_named
from bot.services.boards import linked_board
from bot.services.escalations import tell_of_pending
from bot.services.uow import AbstractUnitOfWork
from storage.uow import Database


def _organisation(uow: AbstractUnitOfWork, workspace_id: int, name: str) -> Organisation:
    org = uow.organisations.find(workspace_id, name)
    if org is None:
        raise NotFound(f"*{escape(name)}* is not a registered organisation. See `/collab org list`.")
    return org


def chain_form(db: Database, *, team_id: str, channel_id: str, actor: str,
               organisation: str) -> tuple[Organisation, dl.Chain | None]:
    """The organisation and its chain as it stands, for the chair or secretary's edit form."""
    with db.read() as uow:
        workspace_id, board = linked_board(uow, team_id, channel_id)
        ensure_can_manage(board, actor)
        org = _organisation(uow, workspace_id, organisation)
        return org, uow.chains.get(org.id)


def save_chain(db: Database, *, team_id: str, channel_id: str, actor: str, organisation_id: int,
               levels: list[dl.Level], now: datetime) -> ChainChange:
    """Replace an organisation's chain (chair or secretary); requests already waiting keep their level."""
    checked = dl.check_chain(levels)
    with db.uow() as uow:
        workspace_id, board = linked_board(uow, team_id, channel_id, lock=True)
        ensure_can_manage(board, actor)
        org = uow.organisations.get(workspace_id, organisation_id)
        if org is None:
            raise NotFound("That organisation no longer exists.")
        uow.chains.replace(org.id, checked, by=actor, at=now)
        uow.audit.append(actor=actor, action="chain.set", at=now, payload={
            "organisation": org.name, "organisation_id": org.id, "levels": [
                {"title": lv.title, "approvers": list(lv.approvers), "channel": lv.channel_id,
                 "limit_pence": lv.limit_pence, "response_days": lv.response_days,
                 "approves_other": lv.approves_other} for lv in checked]})
        pending = uow.escalations.open_of_organisation(org.id)
        tell_of_pending(uow, board, actor, pending, what=f"*{escape(org.name)}*'s escalation chain", now=now)
        uow.commit()
        return ChainChange(org, checked, len(pending))


def add_deputy(db: Database, *, team_id: str, channel_id: str, actor: str, approver: str, deputy: str,
               organisation: str, from_date: date, until_date: date, now: datetime) -> tuple[Organisation, dl.Deputy]:
    """Name a deputy who answers an approver's requests over a period (chair, secretary, or the approver)."""
    checked = dl.check_deputy(approver, deputy, from_date, until_date)
    with db.uow() as uow:
        workspace_id, board = linked_board(uow, team_id, channel_id, lock=True)
        if actor != approver:
            ensure_can_manage(board, actor)
        org = _organisation(uow, workspace_id, organisation)
        chain = uow.chains.get(org.id)
        if chain is None or not any(approver in lv.approvers for lv in chain.levels):
            raise NotAllowed(f"<@{approver}> is not an approver in *{escape(org.name)}*'s escalation chain.")
        uow.deputies.add(org.id, checked, by=actor)
        uow.audit.append(actor=actor, action="deputy.added", at=now, payload={
            "organisation": org.name, "approver": approver, "deputy": deputy,
            "from": from_date.isoformat(), "until": until_date.isoformat()})
        uow.commit()
        return org, checked


def delegated_queue(db: Database, *, team_id: str, channel_id: str) -> tuple[Board, list[Queued]]:
    """The board's decisions taken under delegation that await its retrospective review, with their risks."""
    with db.read() as uow:
        _, board = linked_board(uow, team_id, channel_id)
        return board, _with_risks(uow, board)


def queue_of_board(db: Database, board_id: int) -> list[Queued]:
    """A board's queue for its scheduled review of decisions taken under delegation."""
    with db.read() as uow:
        return _with_risks(uow, uow.boards.get(board_id, only=[]))


def _with_risks(uow: AbstractUnitOfWork, board: Board) -> list[Queued]:
    queue = []
    for item in uow.delegated.of_board(board.id):
        proposal = uow.proposals.get(item.proposal_id)
        queue.append(Queued(item, tuple(delegation_risks(proposal, board))))
    return queue


def queued(db: Database, *, team_id: str, proposal_id: int, actor: str) -> Delegated:
    """A queued decision the chair is about to mark reviewed (checked before the note form opens)."""
    with db.read() as uow:
        proposal = uow.proposals.get(proposal_id, with_votes=False)
        board = uow.boards.get(proposal.board_id) if proposal else None
        item = uow.delegated.get(proposal_id) if board and board.team_id == team_id else None
        if item is None:
            raise NotFound("That decision is not in the board's delegated-decisions queue.")
        ensure_chair(board, actor, doing="mark a decision taken under delegation as reviewed")
        return item


def mark_reviewed(db: Database, *, team_id: str, proposal_id: int, actor: str, note: str, now: datetime) -> Delegated:
    """The chair records that the board reviewed a decision taken under delegation, with a note."""
    note = review_note(note)
    with db.uow() as uow:
        proposal = uow.proposals.get(proposal_id, lock=True, with_votes=False)
        board = uow.boards.get(proposal.board_id) if proposal else None
        queued = uow.delegated.get(proposal_id) if board and board.team_id == team_id else None
        if queued is None:
            raise NotFound("That decision is not in the board's delegated-decisions queue.")
        ensure_chair(board, actor, doing="mark a decision taken under delegation as reviewed")
        if queued.reviewed_at is not None:
            return queued
        uow.delegated.mark_reviewed(proposal_id, by=actor, at=now, note=note)
        uow.audit.append(actor=actor, action="delegated.reviewed", at=now,
                         payload={"proposal_id": proposal_id, "number": queued.number, "note": note})
        uow.record(PollChanged(now, proposal_id, proposal.channel_id))
        uow.commit()
        return replace(queued, reviewed_by=actor, reviewed_at=now, note=note)


def category_rules(db: Database, *, team_id: str, channel_id: str) -> tuple[Board, list[Category],
                                                                             dict[str, dl.CategoryRule]]:
    """The board, its categories and its rule for each category that has one."""
    with db.read() as uow:
        workspace_id, board = linked_board(uow, team_id, channel_id)
        return board, uow.categories.for_workspace(workspace_id), uow.category_rules.of_board(board.id)


def set_category_rule(db: Database, *, team_id: str, channel_id: str, actor: str, category: str,
                      rule: DecisionRule | None, threshold: str,
                      now: datetime) -> tuple[Board, Category, dl.CategoryRule | None]:
    """Set the rule new proposals in a category take (None: the board's default again); chair or secretary."""
    with db.uow() as uow:
        workspace_id, board = linked_board(uow, team_id, channel_id, lock=True)
        ensure_can_manage(board, actor)
        chosen = category_named(uow.categories.for_workspace(workspace_id), category)
        rules = uow.category_rules.of_board(board.id)
        rules.pop(chosen.key, None)
        saved = None
        if rule is not None:
            saved = dl.CategoryRule(chosen.key, rule, parse_threshold(threshold)
                                    if rule is DecisionRule.SUPERMAJORITY else None)
            rules[chosen.key] = saved
        uow.category_rules.replace(board.id, list(rules.values()))
        uow.audit.append(actor=actor, action="rule.set", at=now, payload={
            "board_id": board.id, "category": chosen.key, "rule": rule.value if rule else None,
            "threshold": str(saved.threshold) if saved and saved.threshold else None})
        uow.commit()
        return board, chosen, saved
