"""Loading and saving proposals, their votes, vote history and declared interests."""

from __future__ import annotations

from datetime import datetime, timedelta
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain.boards import DecisionRule
from bot.domain.decisions import Position, Vote, Voter, parse_quorum
from bot.domain.proposals import Interest, InterestDecision, Proposal, Status, register_prefix
from storage.models import BoardRow, InterestRow, ProposalRow, VoteHistoryRow, VoteRow


def to_domain(row: ProposalRow, votes: list[Vote], interests: list[Interest]) -> Proposal:
    """A proposal row with its votes and interests as a domain Proposal."""
    return Proposal(
        id=row.id, title=row.title, description=row.description, category=row.category,
        amount_pence=row.amount_pence, rule=DecisionRule(row.rule), threshold=Fraction(row.threshold),
        quorum=parse_quorum(row.quorum), secret=row.secret, hide_results=row.hide_results,
        per_organisation=row.per_organisation, proposer=row.proposer, closes_at=row.closes_at,
        status=Status(row.status), votes=votes, interests=interests,
    )


class ProposalRepository:
    def __init__(self, session: Session):
        self.session = session

    def row(self, proposal_id: int, *, lock: bool = False) -> ProposalRow | None:
        """The proposal row; with `lock`, held until commit so writers on one poll queue."""
        query = select(ProposalRow).where(ProposalRow.id == proposal_id)
        return self.session.execute(query.with_for_update() if lock else query).scalar()

    def by_request(self, request_key: str) -> ProposalRow | None:
        """The proposal a modal submission already created, if any."""
        return self.session.execute(select(ProposalRow).where(ProposalRow.request_key == request_key)).scalar()

    def load(self, row: ProposalRow, *, with_votes: bool = True) -> Proposal:
        """The domain proposal for a row, with its interests and (unless told not to) its votes."""
        return to_domain(row, self.votes(row.id) if with_votes else [], self.interests(row.id))

    def first_voter_of(self, proposal_id: int, organisation: str) -> str | None:
        """Who first recorded a position for the organisation (their vote counts for it)."""
        return self.session.execute(
            select(VoteRow.user_id).where(VoteRow.proposal_id == proposal_id, VoteRow.organisation == organisation)
            .order_by(VoteRow.first_at, VoteRow.id).limit(1)).scalar()

    def vote_count(self, proposal_id: int) -> int:
        """How many members have a position recorded."""
        return self.session.execute(
            select(func.count()).select_from(VoteRow).where(VoteRow.proposal_id == proposal_id)).scalar_one()

    def votes(self, proposal_id: int) -> list[Vote]:
        rows = self.session.execute(
            select(VoteRow).where(VoteRow.proposal_id == proposal_id).order_by(VoteRow.first_at, VoteRow.id)
        ).scalars()
        return [Vote(r.user_id, r.organisation, Position(r.position), r.first_at, r.reason, r.proxy_by) for r in rows]

    def interests(self, proposal_id: int) -> list[Interest]:
        rows = self.session.execute(
            select(InterestRow).where(InterestRow.proposal_id == proposal_id).order_by(InterestRow.id)
        ).scalars()
        return [Interest(r.user_id, r.reason, InterestDecision(r.decision)) for r in rows]

    def record_vote(self, row: ProposalRow, voter: Voter, position: Position, *, reason: str,
                    proxy_by: str | None, now: datetime) -> bool:
        """Set the voter's position (keeping history); False when it is already exactly that."""
        vote = self.session.execute(
            select(VoteRow).where(VoteRow.proposal_id == row.id, VoteRow.user_id == voter.user_id)
        ).scalar()
        if vote is not None and (vote.position, vote.reason, vote.proxy_by) == (position.value, reason, proxy_by):
            return False
        if vote is None:
            self.session.add(VoteRow(proposal_id=row.id, user_id=voter.user_id, organisation=voter.organisation,
                                     position=position.value, reason=reason, proxy_by=proxy_by,
                                     first_at=now, updated_at=now))
        else:
            vote.position, vote.reason, vote.proxy_by, vote.updated_at = position.value, reason, proxy_by, now
        self.session.add(VoteHistoryRow(proposal_id=row.id, user_id=voter.user_id, position=position.value,
                                        reason=reason, proxy_by=proxy_by, recorded_at=now))
        row.tally_version += 1
        return True

    def interest(self, proposal_id: int, user_id: str) -> InterestRow | None:
        return self.session.execute(
            select(InterestRow).where(InterestRow.proposal_id == proposal_id, InterestRow.user_id == user_id)
        ).scalar()

    def next_number(self, board_id: int, year: int) -> int:
        """The next register sequence for the board and year; the board row lock keeps it unique."""
        self.session.execute(select(BoardRow.id).where(BoardRow.id == board_id).with_for_update())
        prefix = register_prefix(year) + "%"
        taken = self.session.execute(
            select(func.count()).select_from(ProposalRow)
            .where(ProposalRow.board_id == board_id, ProposalRow.number.like(prefix))
        ).scalar_one()
        return taken + 1

    def due(self, now: datetime, limit: int = 50) -> list[int]:
        """Open proposals whose deadline has passed; other instances' claimed rows are skipped."""
        query = (select(ProposalRow.id).where(ProposalRow.status == Status.OPEN.value, ProposalRow.closes_at <= now)
                 .order_by(ProposalRow.closes_at).limit(limit))
        if self.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return list(self.session.execute(query).scalars())

    def claim_render(self, proposal_id: int, now: datetime, hold: timedelta) -> tuple[str, object]:
        """Claim the right to redraw a poll: ("done", None), ("wait", until) or ("go", version)."""
        row = self.row(proposal_id, lock=True)
        if row is None or row.rendered_version >= row.tally_version:
            return "done", None
        if row.render_lock_until is not None and row.render_lock_until > now:
            return "wait", row.render_lock_until
        row.render_lock_until = now + hold
        return "go", row.tally_version

    def stale(self) -> list[int]:
        """Polls whose message is behind their votes or their closing."""
        return list(self.session.execute(
            select(ProposalRow.id).where(ProposalRow.rendered_version < ProposalRow.tally_version)).scalars())

    def closed(self, board_id: int, limit: int | None = None) -> list[ProposalRow]:
        """Closed proposals of a board, newest first."""
        query = (select(ProposalRow).where(ProposalRow.board_id == board_id, ProposalRow.status == "closed")
                 .order_by(ProposalRow.closed_at.desc(), ProposalRow.id.desc()))
        return list(self.session.execute(query.limit(limit) if limit else query).scalars())
