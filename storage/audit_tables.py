"""The tables `audit verify` compares with the log, read as rows keyed the way the log's replay keys them."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from bot.domain.audit import AuditEvent
from bot.domain.audit_rows import Row
from bot.domain.proposals import CategoryKind
from bot.domain.scheme import describe_grant
from bot.services import repositories_outbox as ports
from storage.audit import member_table, read_events, read_head, vote_table
from storage.models import Category, Organisation, ProposalRow, VoteHistoryRow
from storage.models_checklists import AnswerRow, TallyRow
from storage.models_delegation import AuthorityRow, ChainLevelRow, EscalationRow


def proposal_table(session: Session) -> dict[tuple, Row]:
    """Every proposal: (proposal_id,) -> status, register number, outcome and what it was opened with."""
    rows = session.execute(select(ProposalRow.id, ProposalRow.status, ProposalRow.number, ProposalRow.outcome,
                                  ProposalRow.title, ProposalRow.category, ProposalRow.amount_pence,
                                  ProposalRow.rule, ProposalRow.secret))
    return {(r.id,): {"status": r.status, "number": r.number, "outcome": r.outcome, "title": r.title,
                      "category": r.category, "amount_pence": r.amount_pence, "rule": r.rule,
                      "secret": bool(r.secret)} for r in rows}


def history_table(session: Session) -> list[tuple[int, str, str, str, bool]]:
    """Every change of position, oldest first: (proposal_id, user, position, reason, whether the ballot is secret)."""
    rows = session.execute(
        select(VoteHistoryRow.proposal_id, VoteHistoryRow.user_id, VoteHistoryRow.position, VoteHistoryRow.reason,
               ProposalRow.secret)
        .join(ProposalRow, ProposalRow.id == VoteHistoryRow.proposal_id)
        .order_by(VoteHistoryRow.recorded_at, VoteHistoryRow.id))
    return [(proposal, user, position, reason or "", bool(secret)) for proposal, user, position, reason, secret in rows]


def escalation_table(session: Session) -> dict[tuple, Row]:
    """Every escalation: (escalation_id,) -> its state, level and who answered."""
    e = EscalationRow
    rows = session.execute(select(e.id, e.proposal_id, e.state, e.level_title, e.level_position, e.approvers,
                                  e.reminded, e.answered_by, e.answered_for, e.comment, e.amount_pence))
    return {(r.id,): {"proposal_id": r.proposal_id, "state": r.state, "level_title": r.level_title,
                      "level_position": r.level_position,
                      "approvers": r.approvers, "reminded": bool(r.reminded), "answered_by": r.answered_by,
                      "answered_for": r.answered_for, "comment": r.comment or "", "amount_pence": r.amount_pence}
            for r in rows}


def organisation_names(session: Session) -> dict[int, str]:
    """Every organisation's current name by id."""
    return dict(session.execute(select(Organisation.id, Organisation.name)).all())


def authority_table(session: Session) -> dict[tuple, Row]:
    """Every version of every limit: (organisation_id, user, category, version) -> the limit in words, its dates."""
    a = AuthorityRow
    rows = session.execute(
        select(a.organisation_id, a.user_id, a.category, a.version, a.amount_pence, a.unlimited, a.allowed,
               a.valid_from, a.valid_until, a.granted_by, a.superseded_at, Category.kind)
        .join(Organisation, Organisation.id == a.organisation_id)
        .outerjoin(Category, and_(Category.workspace_id == Organisation.workspace_id, Category.key == a.category)))
    return {(r.organisation_id, r.user_id, r.category, r.version): {
        "limit": describe_grant(r.amount_pence, bool(r.unlimited), bool(r.allowed), money=r.kind == CategoryKind.MONEY),
        "valid_from": r.valid_from.isoformat(), "valid_until": r.valid_until.isoformat() if r.valid_until else None,
        "granted_by": r.granted_by, "superseded": r.superseded_at is not None} for r in rows}


def chain_table(session: Session) -> dict[tuple, Row]:
    """Every level of every escalation chain: (organisation_id, position) -> its title, approvers and limit."""
    c = ChainLevelRow
    rows = session.execute(select(c.organisation_id, c.position, c.title, c.approvers, c.channel_id, c.limit_pence,
                                  c.response_days, c.approves_other))
    return {(r.organisation_id, r.position): {
        "title": r.title, "approvers": r.approvers, "channel_id": r.channel_id, "limit_pence": r.limit_pence,
        "response_days": r.response_days, "approves_other": bool(r.approves_other)} for r in rows}


def answer_table(session: Session) -> list[tuple[int, str, str, str | None, str, str]]:
    """Every attributed checklist answer: (round_id, user, question_id, value, note, evidence)."""
    a = AnswerRow
    return [(r.round_id, r.respondent, r.question_id, r.value, r.note or "", r.evidence or "") for r in
            session.execute(select(a.round_id, a.respondent, a.question_id, a.value, a.note, a.evidence))]


def tally_table(session: Session) -> list[tuple[int, str, str, int]]:
    """Every count of an unattributed round: (round_id, question_id, value, how many chose it)."""
    t = TallyRow
    return [(round_id, question_id, value, count) for round_id, question_id, value, count
            in session.execute(select(t.round_id, t.question_id, t.value, t.count))]


class AuditTables(ports.AuditTables):
    """The audit log and the tables `audit verify` compares with it, inside one (reading) unit of work."""

    def __init__(self, session: Session):
        self.session = session

    def snapshot(self) -> None:
        # SQLite's read transaction already is one snapshot under WAL.
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})

    def head(self) -> tuple[int, str]:
        return read_head(self.session)

    def events(self) -> Iterator[AuditEvent]:
        return read_events(self.session)

    def members(self) -> dict[tuple[int, str], tuple[str, str]]:
        return member_table(self.session)

    def votes(self) -> list[tuple[int, str, str, bool]]:
        return vote_table(self.session)

    def history(self) -> list[tuple[int, str, str, str, bool]]:
        return history_table(self.session)

    def proposals(self) -> dict[tuple, Row]:
        return proposal_table(self.session)

    def escalations(self) -> dict[tuple, Row]:
        return escalation_table(self.session)

    def organisation_names(self) -> dict[int, str]:
        return organisation_names(self.session)

    def authorities(self) -> dict[tuple, Row]:
        return authority_table(self.session)

    def chain_levels(self) -> dict[tuple, Row]:
        return chain_table(self.session)

    def answers(self) -> list[tuple[int, str, str, str | None, str, str]]:
        return answer_table(self.session)

    def tallies(self) -> list[tuple[int, str, str, int]]:
        return tally_table(self.session)
