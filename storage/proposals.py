"""Proposals with their votes, vote history and declared interests, taken and returned as domain objects."""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.domain.boards import DecisionRule
from bot.domain.decisions import Outcome, Position, PositionChange, Result, Vote, parse_quorum
from bot.domain.proposals import Interest, InterestDecision, Proposal, Status, register_prefix
from bot.services import repositories_decisions as ports
from storage.models import BoardRow, InterestRow, ProposalRow, VoteHistoryRow, VoteRow


def _result(row: ProposalRow) -> Result | None:
    if not row.outcome:
        return None
    return Result(Outcome(row.outcome), tuple(r for r in row.outcome_reasons.split("\n") if r))


def to_domain(row: ProposalRow, votes: list[Vote], interests: list[Interest]) -> Proposal:
    """A proposal row with its votes and interests as a domain Proposal."""
    return Proposal(
        id=row.id, title=row.title, description=row.description, category=row.category,
        amount_pence=row.amount_pence, rule=DecisionRule(row.rule), threshold=Fraction(row.threshold),
        quorum=parse_quorum(row.quorum), secret=row.secret, hide_results=row.hide_results,
        per_organisation=row.per_organisation, proposer=row.proposer, closes_at=row.closes_at,
        status=Status(row.status), votes=votes, interests=interests, board_id=row.board_id,
        channel_id=row.channel_id, opened_at=row.opened_at, number=row.number, result=_result(row),
        closed_at=row.closed_at, closed_by=row.closed_by, message_ts=row.message_ts, request_key=row.request_key,
        marks=frozenset(m for m in row.marks.split(",") if m), org_amounts=decode_amounts(row.org_amounts),
        rule_overridden_by=row.rule_overridden_by,
    )


def encode_amounts(amounts: dict[int, int]) -> str:
    """Per-organisation amounts as "id=pence;..." for storage."""
    return ";".join(f"{oid}={pence}" for oid, pence in sorted(amounts.items()))


def decode_amounts(text: str) -> dict[int, int]:
    """Per-organisation amounts read back from storage."""
    return {int(oid): int(pence) for oid, pence in (pair.split("=") for pair in text.split(";") if pair)}


class ProposalRepository(ports.ProposalRepository):
    def __init__(self, session: Session):
        self.session = session

    def _row(self, proposal_id: int, *, lock: bool = False) -> ProposalRow | None:
        query = select(ProposalRow).where(ProposalRow.id == proposal_id)
        return self.session.execute(query.with_for_update() if lock else query).scalar()

    def get(self, proposal_id: int, *, lock: bool = False, with_votes: bool = True) -> Proposal | None:
        """The proposal; with `lock`, writers on the same poll queue behind this transaction."""
        row = self._row(proposal_id, lock=lock)
        return to_domain(row, self.votes(row.id) if with_votes else [], self.interests(row.id)) if row else None

    def add(self, p: Proposal) -> int:
        """Save a new proposal; its id."""
        row = ProposalRow(
            board_id=p.board_id, request_key=p.request_key, title=p.title, description=p.description,
            category=p.category, amount_pence=p.amount_pence, rule=p.rule.value,
            threshold=f"{p.threshold.numerator}/{p.threshold.denominator}", quorum=p.quorum.encode(),
            secret=p.secret, hide_results=p.hide_results, per_organisation=p.per_organisation, proposer=p.proposer,
            channel_id=p.channel_id, status=p.status.value, outcome_reasons="", opened_at=p.opened_at,
            closes_at=p.closes_at, marks=",".join(sorted(p.marks)), org_amounts=encode_amounts(p.org_amounts),
            rule_overridden_by=p.rule_overridden_by)
        self.session.add(row)
        self.session.flush()
        return row.id

    def save(self, p: Proposal) -> None:
        """Write back what can change after a proposal opens: deadline, status, outcome, number, message."""
        self.session.execute(update(ProposalRow).where(ProposalRow.id == p.id).values(
            closes_at=p.closes_at, status=p.status.value, number=p.number, closed_at=p.closed_at,
            closed_by=p.closed_by, message_ts=p.message_ts,
            outcome=p.result.outcome.value if p.result else None,
            outcome_reasons="\n".join(p.result.reasons) if p.result else ""))

    def lock(self, proposal_ids: list[int]) -> None:
        """Lock these proposals' rows, in id order, before anything later in the lock order (storage/outbox.py)."""
        if proposal_ids:
            self.session.execute(select(ProposalRow.id).where(ProposalRow.id.in_(proposal_ids))
                                 .order_by(ProposalRow.id).with_for_update())

    def set_message(self, proposal_id: int, ts: str) -> None:
        """Record where the poll message is, once it has been posted."""
        self.session.execute(update(ProposalRow).where(ProposalRow.id == proposal_id).values(message_ts=ts))

    def by_request(self, request_key: str) -> int | None:
        """The proposal a modal submission already created, if any."""
        return self.session.execute(select(ProposalRow.id).where(ProposalRow.request_key == request_key)).scalar()

    def first_voter_of(self, proposal_id: int, organisation: str) -> str | None:
        """Who first recorded a position for the organisation."""
        return self.session.execute(
            select(VoteRow.user_id).where(VoteRow.proposal_id == proposal_id, VoteRow.organisation == organisation)
            .order_by(VoteRow.first_at, VoteRow.id).limit(1)).scalar()

    def vote_count(self, proposal_id: int) -> int:
        """How many members have a position recorded."""
        return self.session.execute(
            select(func.count()).select_from(VoteRow).where(VoteRow.proposal_id == proposal_id)).scalar_one()

    def votes(self, proposal_id: int) -> list[Vote]:
        """Everyone's current position, in the order they first voted."""
        rows = self.session.execute(
            select(VoteRow).where(VoteRow.proposal_id == proposal_id).order_by(VoteRow.first_at, VoteRow.id)
        ).scalars()
        return [Vote(r.user_id, r.organisation, Position(r.position), r.first_at, r.reason, r.proxy_by,
                     r.organisation_id or 0) for r in rows]

    def put_vote(self, proposal_id: int, vote: Vote, *, at: datetime) -> bool:
        """Set the voter's position, keeping its history; False when it is already exactly that."""
        row = self.session.execute(
            select(VoteRow).where(VoteRow.proposal_id == proposal_id, VoteRow.user_id == vote.user_id)).scalar()
        if row is not None and (row.position, row.reason, row.proxy_by) == (vote.position.value, vote.reason,
                                                                            vote.proxy_by):
            return False
        if row is None:
            self.session.add(VoteRow(proposal_id=proposal_id, user_id=vote.user_id, organisation=vote.organisation,
                                     organisation_id=vote.organisation_id or None,
                                     position=vote.position.value, reason=vote.reason, proxy_by=vote.proxy_by,
                                     first_at=at, updated_at=at))
        else:
            row.position, row.reason, row.proxy_by, row.updated_at = (vote.position.value, vote.reason,
                                                                      vote.proxy_by, at)
        self.session.add(VoteHistoryRow(proposal_id=proposal_id, user_id=vote.user_id, position=vote.position.value,
                                        reason=vote.reason, proxy_by=vote.proxy_by, recorded_at=at))
        self.session.flush()
        return True

    def history(self, proposal_id: int) -> list[PositionChange]:
        """Every position recorded on the proposal, oldest first."""
        rows = self.session.execute(select(VoteHistoryRow).where(VoteHistoryRow.proposal_id == proposal_id)
                                    .order_by(VoteHistoryRow.recorded_at, VoteHistoryRow.id)).scalars()
        return [PositionChange(r.user_id, Position(r.position), r.recorded_at, r.reason, r.proxy_by) for r in rows]

    def interests(self, proposal_id: int) -> list[Interest]:
        """Declared interests and the chair's decisions, in the order declared."""
        rows = self.session.execute(
            select(InterestRow).where(InterestRow.proposal_id == proposal_id).order_by(InterestRow.id)).scalars()
        return [Interest(r.user_id, r.reason, InterestDecision(r.decision)) for r in rows]

    def put_interest(self, proposal_id: int, interest: Interest, *, by: str, at: datetime) -> None:
        """Record a declared interest, or the chair's decision on it."""
        row = self.session.execute(select(InterestRow).where(
            InterestRow.proposal_id == proposal_id, InterestRow.user_id == interest.user_id)).scalar()
        if row is None:
            self.session.add(InterestRow(proposal_id=proposal_id, user_id=interest.user_id, reason=interest.reason,
                                         declared_at=at, decision=interest.decision.value))
        else:
            row.decision, row.decided_by, row.decided_at = interest.decision.value, by, at
        self.session.flush()

    def next_number(self, board_id: int, year: int) -> int:
        """The next register sequence for the board and year; the board row lock keeps it unique."""
        self.session.execute(select(BoardRow.id).where(BoardRow.id == board_id).with_for_update())
        taken = self.session.execute(
            select(func.count()).select_from(ProposalRow)
            .where(ProposalRow.board_id == board_id, ProposalRow.number.like(register_prefix(year) + "%"))
        ).scalar_one()
        return taken + 1

    def decided(self, board_id: int, limit: int | None = None) -> list[Proposal]:
        """The board's register: closed proposals with a number, newest first (advisory checks have none)."""
        query = (select(ProposalRow).where(ProposalRow.board_id == board_id, ProposalRow.status == "closed",
                                           ProposalRow.number.is_not(None))
                 .order_by(ProposalRow.closed_at.desc(), ProposalRow.id.desc()))
        rows = self.session.execute(query.limit(limit) if limit else query).scalars().all()
        return [to_domain(r, self.votes(r.id), self.interests(r.id)) for r in rows]

    def open_of(self, board_id: int) -> list[Proposal]:
        """The board's open polls, closing soonest first, with their votes."""
        rows = self.session.execute(select(ProposalRow).where(ProposalRow.board_id == board_id,
                                                              ProposalRow.status == "open")
                                    .order_by(ProposalRow.closes_at, ProposalRow.id)).scalars().all()
        return [to_domain(r, self.votes(r.id), self.interests(r.id)) for r in rows]

    def decided_since(self, board_id: int, since: datetime) -> list[Proposal]:
        """The board's decisions taken since `since`, oldest first."""
        rows = self.session.execute(select(ProposalRow).where(
            ProposalRow.board_id == board_id, ProposalRow.status == "closed", ProposalRow.number.is_not(None),
            ProposalRow.closed_at >= since).order_by(ProposalRow.closed_at, ProposalRow.id)).scalars().all()
        return [to_domain(r, [], []) for r in rows]

    def by_number(self, board_id: int, number: str) -> Proposal | None:
        """A decision by its register number."""
        row = self.session.execute(select(ProposalRow).where(ProposalRow.board_id == board_id,
                                                             ProposalRow.number == number)).scalar()
        return to_domain(row, self.votes(row.id), self.interests(row.id)) if row else None
