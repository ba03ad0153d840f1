"""Use cases on proposals: put one, vote, declare an interest, recuse, proxy, close, extend, withdraw."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, replace
from datetime import datetime

from bot.domain.boards import Board, DecisionRule
from bot.domain.decisions import Position, Vote, Voter, VoteReceipt, everyone_has_voted, tally
from bot.domain.errors import Conflict, NotFound
from bot.domain.events import DeadlineSet, InterestDecided, InterestDeclared, Notice, PollChanged, Route
from bot.domain.events_governance import InterestDecisionChanged, ProposalExtended, ProposalOpened, VoteRecorded
from bot.domain.proposals import (
    REASON_LIMIT,
    VOTING_ROLES,
    Ability,
    Category,
    Interest,
    InterestDecision,
    Proposal,
    check_closing,
    check_reason,
    clean_text,
    draft,
    ensure_can_steer,
    ensure_can_vote,
    ensure_chair,
    ensure_may,
    ensure_open,
    remind_at,
)
from bot.domain.sign_off import check_marks, choose_rule, parse_org_amounts
from bot.domain.snapshot import PollSnapshot
from bot.services import escalations
from bot.services.boards import linked_board
from bot.services.polls import GONE, close_locked, snapshot
from bot.services.uow import AbstractDatabase, AbstractUnitOfWork, once_more_on_deadlock


def _locked(uow: AbstractUnitOfWork, proposal_id: int, *, team_id: str, only: list[str] | None = None
            ) -> tuple[Board, Proposal]:
    """The board and the proposal (locked for writing, without its votes); another workspace's is not there.

    With `only`, the board carries just those users' memberships, so a vote on a large board stays cheap.
    """
    proposal = uow.proposals.get(proposal_id, lock=True, with_votes=False)
    board = uow.boards.get(proposal.board_id, only=only) if proposal and proposal.board_id is not None else None
    if proposal is None or board is None or board.team_id != team_id:
        raise NotFound(GONE)
    return board, proposal


def proposal_form(db: AbstractDatabase, *, team_id: str, channel_id: str) -> tuple[Board, list[Category], bool]:
    """The board and categories the proposal modal offers, and whether the board sets a rule per category."""
    with db.read() as uow:
        workspace_id, board = linked_board(uow, team_id, channel_id)
        assert board.id is not None  # a board from the repository
        return board, uow.categories.for_workspace(workspace_id), bool(uow.category_rules.of_board(board.id))


def create_proposal(db: AbstractDatabase, *, team_id: str, channel_id: str, actor: str, request_key: str, title: str,
                    description: str, category: str, amount: int | None, closes_at: datetime,
                    rule: DecisionRule | None, threshold: str, quorum: str, options: set[str], now: datetime,
                    marks: Collection[str] = frozenset(), org_amounts: str = "") -> int:
    """Record a new open proposal; a repeated submission returns the proposal it already made.

    `rule` None takes the board's rule for the category; another rule than that is for the chair only.
    """
    with db.uow() as uow:
        existing = uow.proposals.by_request(request_key)
        if existing is not None:
            return existing
        workspace_id, board = linked_board(uow, team_id, channel_id)
        assert board.id is not None  # a board from the repository
        choice = choose_rule(board, actor, category=category, chosen=rule, rules=uow.category_rules.of_board(board.id))
        if choice.threshold is not None:
            threshold = f"{choice.threshold.numerator}/{choice.threshold.denominator}"
        p = draft(board=board, proposer=actor, title=title, description=description, category=category,
                  categories=uow.categories.for_workspace(workspace_id), amount=amount, closes_at=closes_at,
                  rule=choice.rule, threshold=threshold, quorum=quorum, options=options, now=now)
        p = replace(p, board_id=board.id, channel_id=board.channel_id, opened_at=now, request_key=request_key,
                    marks=check_marks(set(marks)), org_amounts=parse_org_amounts(org_amounts, board),
                    rule_overridden_by=choice.overridden_by)
        p.id = uow.proposals.add(p)
        category_of = next(c for c in uow.categories.for_workspace(workspace_id) if c.key == p.category)
        uow.record(ProposalOpened.of(p, actor=actor, at=now))
        escalations.open_on_proposal(uow, workspace_id=workspace_id, board=board, proposal=p, category=category_of,
                                     org_amounts=p.org_amounts, now=now)
        uow.record(PollChanged(now, p.id, p.channel_id))
        uow.record(DeadlineSet(now, p.id, p.closes_at, remind_at(p.closes_at, board.settings.reminder_hours, now)))
        uow.commit()
        return p.id


def _everyone_voted(uow: AbstractUnitOfWork, proposal: Proposal) -> bool:
    assert proposal.id is not None and proposal.board_id is not None  # a saved proposal
    people, organisations = uow.boards.voting_counts(proposal.board_id, VOTING_ROLES, proposal.recused())
    # Loading every vote and member is only worth it once there are at least as many votes as voters.
    if uow.proposals.vote_count(proposal.id) < (organisations if proposal.per_organisation else people):
        return False
    board = uow.boards.get(proposal.board_id)
    assert board is not None  # the board of a proposal read in this transaction
    votes = uow.proposals.votes(proposal.id)
    return everyone_has_voted(tally(votes, proposal.eligible(board), per_organisation=proposal.per_organisation))


def _speaker(uow: AbstractUnitOfWork, proposal: Proposal, organisation: str) -> tuple[str | None, bool]:
    """Whose position counts for an organisation with one vote, and whether they were nominated."""
    assert proposal.id is not None and proposal.board_id is not None  # a saved proposal
    nominee = uow.boards.org_voter(proposal.board_id, organisation)
    if nominee is not None and nominee not in proposal.recused():
        return nominee, True
    return uow.proposals.first_voter_of(proposal.id, organisation), False


def _record(uow: AbstractUnitOfWork, proposal: Proposal, voter: Voter, position: Position, *, reason: str,
            proxy_by: str | None, actor: str, now: datetime) -> VoteReceipt:
    assert proposal.id is not None  # a saved proposal
    reason = check_reason(position, reason)
    changed = uow.proposals.put_vote(proposal.id, Vote(voter.user_id, voter.organisation, position, now, reason,
                                                       proxy_by, voter.organisation_id), at=now)
    closed = False
    if changed:
        # A secret ballot's audit event links no one to a position, only to a keyed pseudonym.
        pseudonym = uow.audit.pseudonym(proposal.id, voter.user_id) if proposal.secret else None
        # One event: the log's entry and the poll's redraw.
        uow.record(VoteRecorded(now, actor, proposal.id, position.value, voter.user_id, reason,
                                voter.user_id if proxy_by else None, pseudonym))
        if _everyone_voted(uow, proposal):
            close_locked(uow, proposal, by=None, now=now)
            closed = True
    speaker, nominated = _speaker(uow, proposal, voter.organisation) if proposal.per_organisation else (
        None, False)
    return VoteReceipt(position, changed, closed, counted_for=speaker if speaker != voter.user_id else None,
                       nominated=nominated)


@once_more_on_deadlock
def record_vote(db: AbstractDatabase, *, team_id: str, proposal_id: int, actor: str, position: Position,
                reason: str = "", now: datetime, reply_to: Route | None = None) -> VoteReceipt:
    """Record or change the actor's own position; closes the poll early once everyone has voted.

    With `reply_to`, the voter's private receipt is sent there once the vote is saved.
    """
    with db.uow() as uow:
        board, proposal = _locked(uow, proposal_id, team_id=team_id, only=[actor])
        voter = ensure_can_vote(board, proposal, actor)
        receipt = _record(uow, proposal, voter, position, reason=reason, proxy_by=None, actor=actor, now=now)
        if reply_to is not None:
            uow.record(Notice(now, reply_to, "vote.receipt", asdict(receipt),
                              key=f"vote:{proposal_id}:{actor}:{now.isoformat()}"))
        uow.commit()
        return receipt


@once_more_on_deadlock
def record_proxy(db: AbstractDatabase, *, team_id: str, proposal_id: int, actor: str, for_user: str, position: Position,
                 reason: str, now: datetime) -> VoteReceipt:
    """The chair records a position for an absent member, with a reason; the member is told by DM."""
    with db.uow() as uow:
        board, proposal = _locked(uow, proposal_id, team_id=team_id)
        ensure_chair(board, actor, doing="record a vote on someone's behalf")
        if for_user == actor:
            raise Conflict("Use the vote buttons for your own position.")
        voter = ensure_can_vote(board, proposal, for_user)
        reason = clean_text(reason, limit=REASON_LIMIT, field_name="proxy_reason", label="reason for the proxy")
        receipt = _record(uow, proposal, voter, position, reason=reason, proxy_by=actor, actor=actor, now=now)
        uow.record(Notice(now, Route(team_id, for_user), "vote.proxied", {
            "proposal": proposal_id, "position": position.value, "chair": actor, "reason": reason},
            key=f"proxy:{proposal_id}:{for_user}:{now.isoformat()}"))
        uow.commit()
        return receipt


def declare_interest(db: AbstractDatabase, *, team_id: str, proposal_id: int, actor: str, reason: str,
                     now: datetime) -> bool:
    """Record a member's declared interest and ask the chair in the poll's thread; False if already declared."""
    with db.uow() as uow:
        board, proposal = _locked(uow, proposal_id, team_id=team_id)
        ensure_may(Ability.DECLARE, board, proposal, actor)
        reason = clean_text(reason, limit=REASON_LIMIT, field_name="reason", label="nature of your interest")
        if any(i.user_id == actor for i in proposal.interests):
            return False
        uow.proposals.put_interest(proposal_id, Interest(actor, reason, InterestDecision.PENDING), by=actor, at=now)
        uow.record(PollChanged(now, proposal_id, proposal.channel_id))
        uow.record(InterestDeclared(now, proposal_id, proposal.channel_id, actor, reason))
        uow.commit()
        return True


def decide_interest(db: AbstractDatabase, *, team_id: str, proposal_id: int, actor: str, user_id: str, recuse: bool,
                    now: datetime, reply_to: Route | None = None) -> InterestDecision:
    """The chair recuses a member with a declared interest, or lets them vote."""
    with db.uow() as uow:
        board, proposal = _locked(uow, proposal_id, team_id=team_id)
        ensure_open(proposal)
        ensure_chair(board, actor, doing="decide on a declared interest")
        interest = next((i for i in proposal.interests if i.user_id == user_id), None)
        if interest is None:
            raise NotFound("That interest is no longer on record.")
        decision = InterestDecision.RECUSED if recuse else InterestDecision.ALLOWED
        if interest.decision is not decision:
            uow.proposals.put_interest(proposal_id, replace(interest, decision=decision), by=actor, at=now)
            uow.record(InterestDecisionChanged(now, actor, proposal_id, user_id, decision.value))
            uow.record(PollChanged(now, proposal_id, proposal.channel_id))
            proposal.interests = uow.proposals.interests(proposal_id)
            # A recusal can leave everyone still eligible having voted.
            if recuse and _everyone_voted(uow, proposal):
                close_locked(uow, proposal, by=None, now=now)
        if reply_to is not None:
            uow.record(InterestDecided(now, proposal_id, user_id, decision.value, reply_to))
        uow.commit()
        return decision


def close_now(db: AbstractDatabase, *, team_id: str, proposal_id: int, actor: str, now: datetime,
              withdraw: bool = False) -> None:
    """Close (or withdraw) a poll before its deadline: the chair, secretary or proposer."""
    with db.uow() as uow:
        board, proposal = _locked(uow, proposal_id, team_id=team_id)
        ensure_can_steer(board, proposal, actor)
        close_locked(uow, proposal, by=actor, now=now, withdrawn=withdraw)
        uow.commit()


def extend(db: AbstractDatabase, *, team_id: str, proposal_id: int, actor: str, closes_at: datetime,
           now: datetime) -> None:
    """Move a poll's deadline later."""
    with db.uow() as uow:
        board, proposal = _locked(uow, proposal_id, team_id=team_id)
        ensure_can_steer(board, proposal, actor)
        check_closing(closes_at, now)
        if closes_at <= proposal.closes_at:
            raise Conflict("Choose a time after the current deadline to extend the poll.", field="closes_at")
        uow.record(ProposalExtended(now, actor, proposal_id, proposal.closes_at, closes_at))
        proposal.closes_at = closes_at
        uow.proposals.save(proposal)
        uow.record(PollChanged(now, proposal_id, proposal.channel_id))
        uow.record(DeadlineSet(now, proposal_id, closes_at, remind_at(closes_at, board.settings.reminder_hours, now)))
        uow.commit()


def check_may(db: AbstractDatabase, *, team_id: str, proposal_id: int, actor: str, ability: Ability) -> PollSnapshot:
    """The poll, if the actor may do `ability` with it now (checked before a modal opens, and again on submit)."""
    with db.read() as uow:
        proposal = uow.proposals.get(proposal_id)
        board = uow.boards.get(proposal.board_id) if proposal and proposal.board_id is not None else None
        if proposal is None or board is None or board.team_id != team_id:
            raise NotFound(GONE)
        snap = snapshot(uow, proposal)
    ensure_may(ability, snap.board, snap.proposal, actor)
    return snap
