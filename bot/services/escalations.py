"""Escalation through each member's own organisation: opened with the poll, answered in Slack, moved up on time."""

from __future__ import annotations

from copy import copy
from datetime import datetime
from typing import Protocol

from bot.domain import delegation as dl
from bot.domain import escalation as es
from bot.domain.boards import Board
from bot.domain.decisions import Outcome, decide, tally
from bot.domain.errors import NotAllowed, NotFound
from bot.domain.events import EscalationAsked, EscalationEnded, Notice, OutcomeSettled, PollChanged, Replaced, Route
from bot.domain.events_governance import (
    EscalationDeclined,
    EscalationEndorsed,
    EscalationMovedUp,
    EscalationOpened,
    EscalationReminded,
    EscalationStepped,
    EscalationToppedOut,
    EscalationUnrouted,
    EscalationWithdrawn,
)
from bot.domain.proposals import VOTING_ROLES, Category, Proposal, Status
from bot.services.reviews import calendar_of
from bot.services.uow import AbstractDatabase, AbstractUnitOfWork

GONE = "That request for sign-off no longer exists."
_STEPPED: dict[es.Step, type[EscalationStepped]] = {
    es.Step.REMIND: EscalationReminded, es.Step.MOVE_UP: EscalationMovedUp, es.Step.TOPPED_OUT: EscalationToppedOut}


def _asked(e: es.Escalation, now: datetime, *, reminder: bool = False) -> EscalationAsked:
    assert e.id is not None  # a saved escalation
    recipients = (e.channel_id,) if e.channel_id else e.approvers
    return EscalationAsked(now, e.id, e.level_position, recipients, e.due_at, reminder)


def _tell_chairs(uow: AbstractUnitOfWork, board: Board, what: str, data: dict, *, now: datetime, key: str) -> None:
    chairs = [m.user_id for m in board.managers()] or [m.user_id for m in board.members][:1]
    for user_id in chairs:
        uow.record(Notice(now, Route(board.team_id, user_id), what, data, key=f"{key}:{user_id}"))


def tell_of_pending(uow: AbstractUnitOfWork, board: Board, actor: str, pending: list[es.Escalation], *,
                     what: dict[str, str], now: datetime) -> None:
    """Pending requests are never dropped or re-routed by a change; the chair hears that they stay put.

    `what` says what changed: {"changed": "authority", "user": ..., "category": label} or
    {"changed": "chain", "organisation": name}."""
    if not pending:
        return
    data = {**what, "count": len(pending), "levels": sorted({e.level_title for e in pending})}
    for chair in {m.user_id for m in board.managers()} | {actor}:
        uow.record(Notice(now, Route(board.team_id, chair), "escalations.kept", data,
                          key=f"kept:{now.isoformat()}:{chair}"))


def checks_category(uow: AbstractUnitOfWork, workspace_id: int, category: Category) -> bool:
    """Whether the workspace's scheme puts proposals of this category through sign-off."""
    return uow.authorities.sign_off_scope(workspace_id).checks(category.key, money=category.is_money)


def amounts_for(proposal: Proposal, organisation_ids: set[int], org_amounts: dict[int, int]) -> dict[int, int | None]:
    """Each organisation's amount: the one the proposer set for it, else the proposal's."""
    return {oid: org_amounts.get(oid, proposal.amount_pence) for oid in organisation_ids}


def open_on_proposal(uow: AbstractUnitOfWork, *, workspace_id: int, board: Board, proposal: Proposal,
                     category: Category, org_amounts: dict[int, int], now: datetime) -> list[es.Escalation]:
    """Open the escalations a new proposal needs (inside its transaction); none unless its category is checked."""
    if not checks_category(uow, workspace_id, category):
        return []
    assert proposal.id is not None  # saved before its escalations open
    voters: dict[int, list[str]] = {}
    for m in board.members:
        if m.role in VOTING_ROLES and m.organisation_id:
            voters.setdefault(m.organisation_id, []).append(m.user_id)
    money = category.is_money
    calendar = calendar_of(board)
    today = calendar.local_date(now)
    users = [u for members in voters.values() for u in members]
    chains = uow.chains.of(voters)
    needs = dl.needs(amounts=amounts_for(proposal, set(voters), org_amounts), voters=voters,
                     authorities=uow.authorities.of_members(voters, users, category.key), category=category.key,
                     money=money, chains=chains, on=today)
    names = {m.organisation_id: m.organisation for m in board.members}
    opened = []
    for need in needs:
        e = es.open_escalation(need=need, proposal_id=proposal.id, organisation=names[need.organisation_id],
                               brought_by=proposal.proposer, now=now, calendar=calendar, money=money,
                               deputies=uow.deputies.of(need.organisation_id, on_or_after=today),
                               chain=chains.get(need.organisation_id), barred=frozenset(proposal.recused()))
        e.id = uow.escalations.add(e)
        started = EscalationOpened if e.state is es.EscalationState.OPEN else EscalationUnrouted
        uow.record(started(now, proposal.id, e.id, e.organisation, e.amount_pence, e.level_title, e.level_position,
                           tuple(e.approvers), e.problem, tuple(e.skipped)))
        if e.state is es.EscalationState.OPEN:
            uow.record(_asked(e, now))
            _tell_of_skipped(uow, board, e, now=now)
        else:
            _tell_chairs(uow, board, "escalation.no_route", {"escalation": e.id}, now=now, key=f"noroute:{e.id}")
        opened.append(e)
    return opened


def _tell_of_skipped(uow: AbstractUnitOfWork, board: Board, e: es.Escalation, *, now: datetime) -> None:
    """The chair hears when a level was passed over because nobody at it may answer (proposer, recused)."""
    if e.skipped:
        _tell_chairs(uow, board, "escalation.skipped", {"escalation": e.id}, now=now,
                     key=f"skipped:{e.id}:{e.level_position}")


def _locked(uow: AbstractUnitOfWork, escalation_id: int) -> es.Escalation | None:
    """An escalation locked after its proposal: closing a poll locks in that order, so neither waits on the other."""
    found = uow.escalations.get(escalation_id)
    if found is None:
        return None
    uow.proposals.get(found.proposal_id, lock=True, with_votes=False)
    return uow.escalations.get(escalation_id, lock=True)


def _board_of(uow: AbstractUnitOfWork, proposal_id: int) -> tuple[Proposal, Board]:
    proposal = uow.proposals.get(proposal_id, lock=True, with_votes=False)
    board = uow.boards.get(proposal.board_id) if proposal is not None and proposal.board_id is not None else None
    if proposal is None or board is None:
        raise NotFound(GONE)
    return proposal, board


def settle(uow: AbstractUnitOfWork, proposal: Proposal, board: Board, *, now: datetime) -> None:
    """Once a closed poll's escalations change, its outcome is worked out again and posted if it changed."""
    if proposal.status is not Status.CLOSED or proposal.result is None or proposal.result.outcome not in (
            Outcome.AGREED, Outcome.AGREED_SUBJECT):
        return
    assert proposal.id is not None  # a saved proposal
    t = tally(uow.proposals.votes(proposal.id), proposal.eligible(board), per_organisation=proposal.per_organisation)
    result = es.combine(decide(proposal.rule, t, quorum=proposal.quorum, threshold=proposal.threshold),
                        uow.escalations.of_proposal(proposal.id))
    if result == proposal.result:
        return
    if result.outcome is not Outcome.AGREED_SUBJECT:
        withdraw_open(uow, proposal.id, now=now)  # a decline ends it: other organisations need not answer
    proposal.result = result
    uow.proposals.save(proposal)
    uow.record(OutcomeSettled(now, proposal.id, proposal.channel_id, proposal.number, result.outcome.value,
                              tuple(result.reasons)))


class ChannelMembers(Protocol):
    """Who is in a Slack channel now, as Slack says: a read, cached briefly on the Slack side."""

    def is_member(self, channel_id: str, user_id: str) -> bool:
        """Whether the user is in the channel; NotAllowed, saying so, when Slack cannot tell."""


def _standing(db: AbstractDatabase, e: es.Escalation, actor: str,
              members: ChannelMembers | None) -> tuple[str | None, bool]:
    """For someone not named at a channel level: the channel, if Slack says they are in it, and whether they sit
    for its organisation on a board. Slack is asked only about those who do: anyone else is refused anyway."""
    if e.channel_id is None or e.named(actor) or actor == e.brought_by:
        return None, False
    with db.read() as uow:
        if not uow.escalations.sits_for(e.organisation_id, actor):
            return None, False
    return (e.channel_id if members is not None and members.is_member(e.channel_id, actor) else None), True


def _not_recused(proposal: Proposal, actor: str) -> None:
    if actor in proposal.recused():
        raise NotAllowed("The chair has recused you from this proposal, so you can't answer its request for "
                         "sign-off. Nothing was recorded.")


def answerable(db: AbstractDatabase, *, team_id: str, escalation_id: int, actor: str,
               members: ChannelMembers | None = None) -> tuple[es.Escalation, Proposal]:
    """The escalation and its proposal, if `actor` may answer it now (checked before the comment form opens)."""
    e, proposal, board = read(db, escalation_id)
    if board.team_id != team_id:
        raise NotFound(GONE)
    _not_recused(proposal, actor)
    in_channel, of_organisation = _standing(db, e, actor, members)
    copy(e).answer(user_id=actor, endorse=True, comment="", now=e.opened_at,  # raises if they may not answer
                   timezone=board.timezone, in_channel=in_channel, of_organisation=of_organisation)
    return e, proposal


def answer(db: AbstractDatabase, *, team_id: str, escalation_id: int, actor: str, endorse: bool, comment: str,
           now: datetime, reply_to: Route | None = None,
           members: ChannelMembers | None = None) -> tuple[es.Escalation, Proposal, Board]:
    """An approver (or their deputy, or on a channel level a member of that channel who sits for the organisation)
    endorses or declines; the poll and, once closed, its outcome follow."""
    found, _, board = read(db, escalation_id)
    if board.team_id != team_id:
        raise NotFound(GONE)
    in_channel, _ = _standing(db, found, actor, members)  # Slack is asked before the transaction, never inside it
    with db.uow() as uow:
        e = _locked(uow, escalation_id)
        if e is None:
            raise NotFound(GONE)
        proposal, board = _board_of(uow, e.proposal_id)
        if board.team_id != team_id:
            raise NotFound(GONE)
        _not_recused(proposal, actor)
        due, named = e.due_at, e.named(actor)
        e.answer(user_id=actor, endorse=endorse, comment=comment, now=now, timezone=board.timezone,
                 in_channel=in_channel,  # checked again here: a seat given up since then no longer counts
                 of_organisation=in_channel is not None and uow.escalations.sits_for(e.organisation_id, actor))
        uow.escalations.save(e)
        assert e.id is not None  # a saved escalation
        uow.record(EscalationEnded(now, e.id, due))
        answered = EscalationEndorsed if endorse else EscalationDeclined
        uow.record(answered(now, actor, e.proposal_id, e.id, e.organisation, e.level_title, e.answered_for,
                            None if named else e.channel_id, e.comment))
        uow.record(PollChanged(now, e.proposal_id, proposal.channel_id))
        uow.record(Notice(now, Route(team_id, proposal.proposer), "escalation.answered", {"escalation": e.id},
                          key=f"answered:{e.id}"))
        if reply_to is not None and reply_to.response_url:
            uow.record(Replaced(now, reply_to, "escalation.answered", {"escalation": e.id}, key=f"answered:{e.id}"))
        settle(uow, proposal, board, now=now)
        uow.commit()
        return e, proposal, board


def on_due(db: AbstractDatabase, *, escalation_id: int, due: datetime, now: datetime) -> es.Step | None:
    """An escalation's timer: remind its level once, then move it up a level and tell the one before."""
    with db.uow() as uow:
        e = _locked(uow, escalation_id)
        if e is None or e.state is not es.EscalationState.OPEN or e.due_at != due:
            return None  # answered, withdrawn or moved on since this timer was set
        proposal, board = _board_of(uow, e.proposal_id)
        category = next((c for c in uow.categories.for_workspace(uow.workspaces.find(board.team_id))
                         if c.key == proposal.category), None)
        calendar, before = calendar_of(board), (e.channel_id,) if e.channel_id else e.approvers
        step = es.on_due(e, uow.chains.get(e.organisation_id), now=now, calendar=calendar,
                         money=category is not None and category.is_money,
                         deputies=uow.deputies.of(e.organisation_id, on_or_after=calendar.local_date(now)),
                         barred=frozenset(proposal.recused()))
        uow.escalations.save(e)
        assert e.id is not None  # a saved escalation
        uow.record(_STEPPED[step](now, e.proposal_id, e.id, e.level_title, e.level_position, tuple(e.approvers),
                                  tuple(e.skipped)))
        if step is es.Step.REMIND:
            uow.record(_asked(e, now, reminder=True))
        elif step is es.Step.MOVE_UP:
            uow.record(_asked(e, now))
            _tell_of_skipped(uow, board, e, now=now)
            for previous in before:
                uow.record(Notice(now, Route(board.team_id, previous), "escalation.moved", {"escalation": e.id},
                                  key=f"moved:{e.id}:{e.level_position}:{previous}"))
            uow.record(PollChanged(now, e.proposal_id, proposal.channel_id))
        else:
            _tell_chairs(uow, board, "escalation.topped_out", {"escalation": e.id}, now=now, key=f"top:{e.id}")
        uow.commit()
        return step


def withdraw_open(uow: AbstractUnitOfWork, proposal_id: int, *, now: datetime) -> None:
    """A withdrawn poll's open escalations need no answer any more."""
    for e in uow.escalations.of_proposal(proposal_id):
        if e.state is es.EscalationState.OPEN:
            assert e.id is not None  # a saved escalation
            uow.record(EscalationEnded(now, e.id, e.due_at))
            e.state, e.due_at = es.EscalationState.WITHDRAWN, None
            uow.escalations.save(e)
            uow.record(EscalationWithdrawn(now, proposal_id, e.id))


def read(db: AbstractDatabase, escalation_id: int) -> tuple[es.Escalation, Proposal, Board]:
    """An escalation with its proposal and board, for the messages about it."""
    with db.read() as uow:
        e = uow.escalations.get(escalation_id)
        if e is None:
            raise NotFound(GONE)
        proposal = uow.proposals.get(e.proposal_id, with_votes=False)
        board = uow.boards.get(proposal.board_id, only=[]) if proposal and proposal.board_id is not None else None
        if proposal is None or board is None:
            raise NotFound(GONE)
        return e, proposal, board


def waiting(db: AbstractDatabase, *, team_id: str, user_id: str) -> tuple[list[es.Waiting], list[es.Waiting]]:
    """Open escalations `user_id` must answer, and those on their boards waiting on others."""
    with db.read() as uow:
        workspace_id = uow.workspaces.find(team_id)
        found = uow.escalations.open_for(workspace_id, user_id) if workspace_id else []
        mine = [w for w in found if user_id != w.escalation.brought_by and (
            user_id in w.escalation.approvers or user_id in {a for _, a in w.escalation.acting_for})]
        return mine, [w for w in found if w not in mine]
