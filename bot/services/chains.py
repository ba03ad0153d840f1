"""Organisations' escalation chains and deputies, and the board's queue of decisions taken under delegation."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from bot.domain import delegation as dl
from bot.domain.boards import Board, DecisionRule, Organisation, ensure_can_manage
from bot.domain.delegated import ChainChange, Delegated, Queued, delegation_risks, review_note
from bot.domain.errors import Command, Name, NotAllowed, NotFound, Person
from bot.domain.events import PollChanged
from bot.domain.events_boards import CategoryRuleSet
from bot.domain.events_delegation import ChainSet, DelegatedReviewed, DeputyAdded
from bot.domain.proposals import Category, ensure_chair, parse_threshold
from bot.services.authority import category_named
from bot.services.boards import linked_board
from bot.services.escalations import tell_of_pending
from bot.services.uow import AbstractDatabase, AbstractUnitOfWork


def _organisation(uow: AbstractUnitOfWork, workspace_id: int, name: str) -> Organisation:
    org = uow.organisations.find(workspace_id, name)
    if org is None:
        raise NotFound("{name} is not a registered organisation. See {command}.", name=Name(name),
                       command=Command("/collab org list"))
    return org


def chain_form(db: AbstractDatabase, *, team_id: str, channel_id: str, actor: str,
               organisation: str) -> tuple[Organisation, dl.Chain | None]:
    """The organisation and its chain as it stands, for the chair or secretary's edit form."""
    with db.read() as uow:
        workspace_id, board = linked_board(uow, team_id, channel_id)
        ensure_can_manage(board, actor)
        org = _organisation(uow, workspace_id, organisation)
        return org, uow.chains.get(org.id)


def save_chain(db: AbstractDatabase, *, team_id: str, channel_id: str, actor: str, organisation_id: int,
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
        uow.record(ChainSet(now, actor, org.name, org.id, tuple(checked)))
        pending = uow.escalations.open_of_organisation(org.id)
        tell_of_pending(uow, board, actor, pending, what={"changed": "chain", "organisation": org.name}, now=now)
        uow.commit()
        return ChainChange(org, checked, len(pending))


def add_deputy(db: AbstractDatabase, *, team_id: str, channel_id: str, actor: str, approver: str, deputy: str,
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
            raise NotAllowed("{who} is not an approver in {org}'s escalation chain.", who=Person(approver),
                             org=Name(org.name))
        uow.deputies.add(org.id, checked, by=actor)
        uow.record(DeputyAdded(now, actor, org.name, approver, deputy, from_date, until_date))
        uow.commit()
        return org, checked


def delegated_queue(db: AbstractDatabase, *, team_id: str, channel_id: str) -> tuple[Board, list[Queued]]:
    """The board's decisions taken under delegation that await its retrospective review, with their risks."""
    with db.read() as uow:
        _, board = linked_board(uow, team_id, channel_id)
        return board, _with_risks(uow, board)


def queue_of_board(db: AbstractDatabase, board_id: int) -> list[Queued]:
    """A board's queue for its scheduled review of decisions taken under delegation."""
    with db.read() as uow:
        board = uow.boards.get(board_id, only=[])
        if board is None:
            raise NotFound("That board no longer exists.")
        return _with_risks(uow, board)


def _with_risks(uow: AbstractUnitOfWork, board: Board) -> list[Queued]:
    assert board.id is not None  # a board from the repository
    queue = []
    for item in uow.delegated.of_board(board.id):
        proposal = uow.proposals.get(item.proposal_id)
        assert proposal is not None  # a queued decision goes when its proposal does
        queue.append(Queued(item, tuple(delegation_risks(proposal, board))))
    return queue


def queued(db: AbstractDatabase, *, team_id: str, proposal_id: int, actor: str) -> Delegated:
    """A queued decision the chair is about to mark reviewed (checked before the note form opens)."""
    with db.read() as uow:
        proposal = uow.proposals.get(proposal_id, with_votes=False)
        board = uow.boards.get(proposal.board_id) if proposal and proposal.board_id is not None else None
        item = uow.delegated.get(proposal_id) if board and board.team_id == team_id else None
        if board is None or item is None:
            raise NotFound("That decision is not in the board's delegated-decisions queue.")
        ensure_chair(board, actor, doing="mark a decision taken under delegation as reviewed")
        return item


def mark_reviewed(db: AbstractDatabase, *, team_id: str, proposal_id: int, actor: str, note: str,
                  now: datetime) -> Delegated:
    """The chair records that the board reviewed a decision taken under delegation, with a note."""
    note = review_note(note)
    with db.uow() as uow:
        proposal = uow.proposals.get(proposal_id, lock=True, with_votes=False)
        board = uow.boards.get(proposal.board_id) if proposal and proposal.board_id is not None else None
        queued = uow.delegated.get(proposal_id) if board and board.team_id == team_id else None
        if proposal is None or board is None or queued is None:
            raise NotFound("That decision is not in the board's delegated-decisions queue.")
        ensure_chair(board, actor, doing="mark a decision taken under delegation as reviewed")
        if queued.reviewed_at is not None:
            return queued
        uow.delegated.mark_reviewed(proposal_id, by=actor, at=now, note=note)
        uow.record(DelegatedReviewed(now, actor, proposal_id, queued.number, note))
        uow.record(PollChanged(now, proposal_id, proposal.channel_id))
        uow.commit()
        return replace(queued, reviewed_by=actor, reviewed_at=now, note=note)


def category_rules(db: AbstractDatabase, *, team_id: str, channel_id: str) -> tuple[Board, list[Category],
                                                                             dict[str, dl.CategoryRule]]:
    """The board, its categories and its rule for each category that has one."""
    with db.read() as uow:
        workspace_id, board = linked_board(uow, team_id, channel_id)
        assert board.id is not None  # a board from the repository
        return board, uow.categories.for_workspace(workspace_id), uow.category_rules.of_board(board.id)


def set_category_rule(db: AbstractDatabase, *, team_id: str, channel_id: str, actor: str, category: str,
                      rule: DecisionRule | None, threshold: str,
                      now: datetime) -> tuple[Board, Category, dl.CategoryRule | None]:
    """Set the rule new proposals in a category take (None: the board's default again); chair or secretary."""
    with db.uow() as uow:
        workspace_id, board = linked_board(uow, team_id, channel_id, lock=True)
        ensure_can_manage(board, actor)
        assert board.id is not None  # a board from the repository
        chosen = category_named(uow.categories.for_workspace(workspace_id), category)
        rules = uow.category_rules.of_board(board.id)
        rules.pop(chosen.key, None)
        saved = None
        if rule is not None:
            saved = dl.CategoryRule(chosen.key, rule, parse_threshold(threshold)
                                    if rule is DecisionRule.SUPERMAJORITY else None)
            rules[chosen.key] = saved
        uow.category_rules.replace(board.id, list(rules.values()))
        uow.record(CategoryRuleSet(now, actor, board.id, chosen.key, rule.value if rule else None,
                                   str(saved.threshold) if saved and saved.threshold else None))
        uow.commit()
        return board, chosen, saved
