"""Use cases on proposals: put one, vote, declare an interest, recuse, proxy, close, extend, withdraw."""

from __future__ import annotations

from datetime import datetime

from bot.domain.boards import Board, DecisionRule
from bot.domain.decisions import Position, Voter, VoteReceipt, everyone_has_voted, tally
from bot.domain.errors import Conflict, NotAllowed, NotFound
from bot.domain.proposals import (
    REASON_LIMIT,
    VOTING_ROLES,
    Category,
    InterestDecision,
    Proposal,
    check_closing,
    check_reason,
    clean_text,
    draft,
    ensure_can_steer,
    ensure_can_vote,
    ensure_chair,
    ensure_open,
)
from bot.domain.snapshot import PollSnapshot
from bot.services.boards import linked_board
from bot.services.polls import close_locked, read_poll
from storage.models import BoardRow, InterestRow, ProposalRow
from storage.repositories import to_domain as board_to_domain
from storage.uow import Database, UnitOfWork


def _locked(uow: UnitOfWork, proposal_id: int, *, only: list[str] | None = None
            ) -> tuple[ProposalRow, Board, Proposal]:
    """The proposal row locked for writing, its board, and the proposal without its votes.

    With `only`, the board carries just those users' memberships, so a vote on a large board stays cheap.
    """
    row = uow.proposals.row(proposal_id, lock=True)
    if row is None:
        raise NotFound("That proposal no longer exists.")
    board = (uow.boards.partial(row.board_id, only) if only is not None
             else board_to_domain(uow.session.get(BoardRow, row.board_id)))
    return row, board, uow.proposals.load(row, with_votes=False)


def proposal_form(db: Database, *, team_id: str, channel_id: str) -> tuple[Board, list[Category]]:
    """The board and categories the proposal modal offers."""
    with db.uow() as uow:
        _, _, board = linked_board(uow, team_id, channel_id)
        categories = uow.categories.for_workspace(uow.workspaces.find(team_id))
        uow.commit()
        return board, categories


def create_proposal(db: Database, *, team_id: str, channel_id: str, actor: str, request_key: str, title: str,
                    description: str, category: str, amount: int | None, closes_at: datetime,
                    rule: DecisionRule, threshold: str, quorum: str, options: set[str], now: datetime) -> int:
    """Record a new open proposal; a repeated submission returns the proposal it already made."""
    with db.uow() as uow:
        existing = uow.proposals.by_request(request_key)
        if existing is not None:
            return existing.id
        _, board_row, board = linked_board(uow, team_id, channel_id)
        categories = uow.categories.for_workspace(board_row.workspace_id)
        p = draft(board=board, proposer=actor, title=title, description=description, category=category,
                  categories=categories, amount=amount, closes_at=closes_at, rule=rule, threshold=threshold,
                  quorum=quorum, options=options, now=now)
        row = ProposalRow(
            board_id=board_row.id, request_key=request_key, title=p.title, description=p.description,
            category=p.category, amount_pence=p.amount_pence, rule=p.rule.value,
            threshold=f"{p.threshold.numerator}/{p.threshold.denominator}", quorum=p.quorum.encode(),
            secret=p.secret, hide_results=p.hide_results, per_organisation=p.per_organisation, proposer=actor,
            channel_id=board.channel_id, status="open", outcome_reasons="", outcome_posted=False, opened_at=now,
            closes_at=p.closes_at, tally_version=0, rendered_version=-1,
        )
        uow.session.add(row)
        uow.session.flush()
        uow.audit.append(actor=actor, action="proposal.opened", payload={
            "proposal_id": row.id, "board_id": board_row.id, "title": p.title, "category": p.category,
            "amount_pence": p.amount_pence, "rule": p.rule.value, "threshold": row.threshold, "quorum": row.quorum,
            "secret": p.secret, "hide_results": p.hide_results, "per_organisation": p.per_organisation,
            "closes_at": p.closes_at.isoformat(),
        })
        uow.commit()
        return row.id


def _everyone_voted(uow: UnitOfWork, row: ProposalRow, proposal: Proposal) -> bool:
    people, organisations = uow.boards.voting_counts(row.board_id, VOTING_ROLES, proposal.recused())
    # Loading every vote and member is only worth it once there are at least as many votes as voters.
    if uow.proposals.vote_count(row.id) < (organisations if proposal.per_organisation else people):
        return False
    board = board_to_domain(uow.session.get(BoardRow, row.board_id))
    votes = uow.proposals.votes(row.id)
    return everyone_has_voted(tally(votes, proposal.eligible(board), per_organisation=proposal.per_organisation))


def _record(uow: UnitOfWork, row: ProposalRow, proposal: Proposal, voter: Voter, position: Position, *,
            reason: str, proxy_by: str | None, actor: str, now: datetime) -> VoteReceipt:
    reason = check_reason(position, reason)
    changed = uow.proposals.record_vote(row, voter, position, reason=reason, proxy_by=proxy_by, now=now)
    closed = False
    if changed:
        payload = {"proposal_id": row.id, "position": position.value}
        if not row.secret:
            # A secret ballot's audit event links no one to a position.
            payload.update(user=voter.user_id, reason=reason, proxy_for=voter.user_id if proxy_by else None)
        uow.audit.append(actor="secret ballot" if row.secret else actor, action="vote.recorded", payload=payload)
        if _everyone_voted(uow, row, proposal):
            close_locked(uow, row, by=None, now=now)
            closed = True
    first = uow.proposals.first_voter_of(row.id, voter.organisation) if proposal.per_organisation else None
    uow.commit()
    return VoteReceipt(position, changed, closed, counted_for=first if first != voter.user_id else None)


def record_vote(db: Database, *, proposal_id: int, actor: str, position: Position, reason: str = "",
                now: datetime, request_key: str | None = None) -> VoteReceipt | None:
    """Record or change the actor's own position; closes the poll early once everyone has voted.

    With `request_key`, a repeat of the same request (a Slack retry) records nothing and returns None.
    """
    with db.uow() as uow:
        row, board, proposal = _locked(uow, proposal_id, only=[actor])
        if request_key is not None and not uow.requests.claim(request_key):
            return None
        voter = ensure_can_vote(board, proposal, actor)
        return _record(uow, row, proposal, voter, position, reason=reason, proxy_by=None, actor=actor, now=now)


def record_proxy(db: Database, *, proposal_id: int, actor: str, for_user: str, position: Position, reason: str,
                 now: datetime) -> VoteReceipt:
    """The chair records a position for an absent member; the reason is required and shown."""
    with db.uow() as uow:
        row, board, proposal = _locked(uow, proposal_id)
        ensure_chair(board, actor, doing="record a vote on someone's behalf")
        if for_user == actor:
            raise Conflict("Use the vote buttons for your own position.")
        voter = ensure_can_vote(board, proposal, for_user)
        reason = clean_text(reason, limit=REASON_LIMIT, field_name="proxy_reason", label="reason for the proxy")
        return _record(uow, row, proposal, voter, position, reason=reason, proxy_by=actor, actor=actor, now=now)


def declare_interest(db: Database, *, proposal_id: int, actor: str, reason: str, now: datetime) -> bool:
    """Record a member's declared interest for the chair to decide on; False if already declared."""
    with db.uow() as uow:
        row, board, proposal = _locked(uow, proposal_id)
        ensure_open(proposal)
        if board.member(actor) is None:
            raise NotAllowed("Only members of the board declare interests on its proposals.")
        reason = clean_text(reason, limit=REASON_LIMIT, field_name="reason", label="nature of your interest")
        if uow.proposals.interest(row.id, actor) is not None:
            return False
        uow.session.add(InterestRow(proposal_id=row.id, user_id=actor, reason=reason, declared_at=now,
                                    decision=InterestDecision.PENDING.value))
        row.tally_version += 1
        uow.audit.append(actor=actor, action="interest.declared",
                         payload={"proposal_id": row.id, "user": actor, "reason": reason})
        uow.commit()
        return True


def decide_interest(db: Database, *, proposal_id: int, actor: str, user_id: str, recuse: bool,
                    now: datetime) -> InterestDecision:
    """The chair recuses a member with a declared interest, or lets them vote."""
    with db.uow() as uow:
        row, board, proposal = _locked(uow, proposal_id)
        ensure_open(proposal)
        ensure_chair(board, actor, doing="decide on a declared interest")
        interest = uow.proposals.interest(row.id, user_id)
        if interest is None:
            raise NotFound("That interest is no longer on record.")
        decision = InterestDecision.RECUSED if recuse else InterestDecision.ALLOWED
        if interest.decision != decision.value:
            interest.decision, interest.decided_by, interest.decided_at = decision.value, actor, now
            row.tally_version += 1
            uow.audit.append(actor=actor, action="interest.decided",
                             payload={"proposal_id": row.id, "user": user_id, "decision": decision.value})
            uow.session.flush()
            # A recusal can leave everyone still eligible having voted.
            if recuse and _everyone_voted(uow, row, uow.proposals.load(row, with_votes=False)):
                close_locked(uow, row, by=None, now=now)
        uow.commit()
        return decision


def close_now(db: Database, *, proposal_id: int, actor: str, now: datetime, withdraw: bool = False) -> None:
    """Close (or withdraw) a poll before its deadline: the chair, secretary or proposer."""
    with db.uow() as uow:
        row, board, proposal = _locked(uow, proposal_id)
        ensure_can_steer(board, proposal, actor)
        close_locked(uow, row, by=actor, now=now, withdrawn=withdraw)
        uow.commit()


def extend(db: Database, *, proposal_id: int, actor: str, closes_at: datetime, now: datetime) -> None:
    """Move a poll's deadline later."""
    with db.uow() as uow:
        row, board, proposal = _locked(uow, proposal_id)
        ensure_can_steer(board, proposal, actor)
        check_closing(closes_at, now)
        if closes_at <= row.closes_at:
            raise Conflict("Choose a time after the current deadline to extend the poll.", field="closes_at")
        uow.audit.append(actor=actor, action="proposal.extended", payload={
            "proposal_id": row.id, "from": row.closes_at.isoformat(), "to": closes_at.isoformat()})
        row.closes_at = closes_at
        row.tally_version += 1
        uow.commit()


def check_may(db: Database, *, proposal_id: int, actor: str, to: str) -> PollSnapshot:
    """Check before opening a modal that the actor may `vote`, `read` (as a member), `steer`, or act as `chair`."""
    snap = read_poll(db, proposal_id)
    if to == "vote":
        ensure_can_vote(snap.board, snap.proposal, actor)
    elif to == "steer":
        ensure_can_steer(snap.board, snap.proposal, actor)
    elif to == "read":
        ensure_open(snap.proposal)
        if snap.board.member(actor) is None:
            raise NotAllowed("Only members of the board can do that on its proposals.")
    else:
        ensure_open(snap.proposal)
        ensure_chair(snap.board, actor, doing="record a vote on someone's behalf")
    return snap
