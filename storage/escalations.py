"""Escalations, the decision rule per category, and the queue of decisions taken under delegation."""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction

from sqlalchemy import literal, select, update
from sqlalchemy.orm import Session

from bot.domain.boards import DecisionRule
from bot.domain.delegated import Delegated
from bot.domain.delegation import CategoryRule
from bot.domain.escalation import Escalation, EscalationState, Waiting
from bot.services import repositories_delegation as ports
from storage.models import BoardRow, MemberRow, Organisation, ProposalRow
from storage.models_delegation import CategoryRuleRow, DelegatedDecisionRow, EscalationRow

OPEN = EscalationState.OPEN.value


def _pairs(text: str) -> tuple[tuple[str, str], ...]:
    return tuple((deputy, approver) for deputy, approver in (pair.split(":", 1) for pair in text.split()))


def _escalation(row: EscalationRow, organisation: str) -> Escalation:
    return Escalation(
        id=row.id, proposal_id=row.proposal_id, organisation_id=row.organisation_id, organisation=organisation,
        amount_pence=row.amount_pence, brought_by=row.brought_by, level_position=row.level_position,
        level_title=row.level_title, approvers=tuple(row.approvers.split()), acting_for=_pairs(row.acting_for),
        channel_id=row.channel_id, state=EscalationState(row.state), opened_at=row.opened_at, due_at=row.due_at,
        reminded=row.reminded, answered_by=row.answered_by, answered_for=row.answered_for,
        answered_at=row.answered_at, comment=row.comment, problem=row.problem)


def _values(e: Escalation) -> dict:
    return dict(level_position=e.level_position, level_title=e.level_title, approvers=" ".join(e.approvers),
                acting_for=" ".join(f"{d}:{a}" for d, a in e.acting_for), channel_id=e.channel_id,
                state=e.state.value, due_at=e.due_at, reminded=e.reminded, answered_by=e.answered_by,
                answered_for=e.answered_for, answered_at=e.answered_at, comment=e.comment, problem=e.problem)


class EscalationRepository(ports.EscalationRepository):
    def __init__(self, session: Session):
        self.session = session

    def _query(self):
        return select(EscalationRow, Organisation.name).join(
            Organisation, Organisation.id == EscalationRow.organisation_id)

    def add(self, e: Escalation) -> int:
        """Save a new escalation; its id."""
        row = EscalationRow(proposal_id=e.proposal_id, organisation_id=e.organisation_id,
                            amount_pence=e.amount_pence, brought_by=e.brought_by, opened_at=e.opened_at,
                            **_values(e))
        self.session.add(row)
        self.session.flush()
        return row.id

    def get(self, escalation_id: int, *, lock: bool = False) -> Escalation | None:
        """One escalation; with `lock`, other answers to it wait for this transaction."""
        query = self._query().where(EscalationRow.id == escalation_id)
        found = self.session.execute(query.with_for_update(of=EscalationRow) if lock else query).first()
        return _escalation(*found) if found else None

    def save(self, e: Escalation) -> None:
        """Write back an escalation's level, state and answer."""
        self.session.execute(update(EscalationRow).where(EscalationRow.id == e.id).values(**_values(e)))

    def of_proposal(self, proposal_id: int) -> list[Escalation]:
        """A proposal's escalations, one per organisation, by organisation name."""
        rows = self.session.execute(self._query().where(EscalationRow.proposal_id == proposal_id)
                                    .order_by(Organisation.name_key)).all()
        return [_escalation(row, name) for row, name in rows]

    def of_proposals(self, proposal_ids: list[int]) -> dict[int, list[Escalation]]:
        """The escalations of several proposals (for the register)."""
        found: dict[int, list[Escalation]] = {pid: [] for pid in proposal_ids}
        rows = self.session.execute(self._query().where(EscalationRow.proposal_id.in_(proposal_ids))
                                    .order_by(Organisation.name_key)).all() if proposal_ids else []
        for row, name in rows:
            found[row.proposal_id].append(_escalation(row, name))
        return found

    def sits_for(self, organisation_id: int, user_id: str) -> bool:
        """Whether the user sits on some board for the organisation (so may answer its channel's requests)."""
        return self.session.execute(select(MemberRow.id).where(
            MemberRow.organisation_id == organisation_id, MemberRow.user_id == user_id).limit(1)).first() is not None

    def open_of_organisation(self, organisation_id: int) -> list[Escalation]:
        """An organisation's escalations still waiting on an answer."""
        rows = self.session.execute(self._query().where(EscalationRow.organisation_id == organisation_id,
                                                        EscalationRow.state == OPEN)).all()
        return [_escalation(row, name) for row, name in rows]

    def open_for(self, workspace_id: int, user_id: str) -> list[Waiting]:
        """Open escalations on the boards `user_id` sits on or addressed to them, oldest first."""
        boards = select(MemberRow.board_id).where(MemberRow.user_id == user_id)
        rows = self.session.execute(
            self._query().add_columns(ProposalRow.title, ProposalRow.channel_id, ProposalRow.message_ts,
                                      BoardRow.timezone)
            .join(ProposalRow, ProposalRow.id == EscalationRow.proposal_id)
            .join(BoardRow, BoardRow.id == ProposalRow.board_id)
            .where(BoardRow.workspace_id == workspace_id, EscalationRow.state == OPEN,
                   (ProposalRow.board_id.in_(boards))
                   | (literal(" ") + EscalationRow.approvers + literal(" ")).contains(f" {user_id} ")
                   | (EscalationRow.acting_for + literal(" ")).contains(f":{user_id} "))
            .order_by(EscalationRow.opened_at, EscalationRow.id).limit(200)).all()
        return [Waiting(_escalation(row, name), title, channel, ts, zone)
                for row, name, title, channel, ts, zone in rows]


class CategoryRuleRepository(ports.CategoryRuleRepository):
    def __init__(self, session: Session):
        self.session = session

    def of_board(self, board_id: int) -> dict[str, CategoryRule]:
        """The board's decision rule per category."""
        rows = self.session.execute(select(CategoryRuleRow).where(CategoryRuleRow.board_id == board_id)).scalars()
        return {r.category: CategoryRule(r.category, DecisionRule(r.rule),
                                         Fraction(r.threshold) if r.threshold else None) for r in rows}

    def replace(self, board_id: int, rules: list[CategoryRule]) -> None:
        """Make `rules` the board's whole map of category to rule."""
        self.session.query(CategoryRuleRow).filter(CategoryRuleRow.board_id == board_id).delete()
        for rule in rules:
            self.session.add(CategoryRuleRow(board_id=board_id, category=rule.category, rule=rule.rule.value,
                                             threshold=str(rule.threshold) if rule.threshold else None))
        self.session.flush()


class DelegatedRepository(ports.DelegatedRepository):
    def __init__(self, session: Session):
        self.session = session

    def queue(self, proposal_id: int, board_id: int, *, at: datetime) -> None:
        """Put an agreed decision with no escalation in the board's review queue (once)."""
        if self.session.get(DelegatedDecisionRow, proposal_id) is None:
            self.session.add(DelegatedDecisionRow(proposal_id=proposal_id, board_id=board_id, queued_at=at, note=""))
            self.session.flush()

    def of_board(self, board_id: int, *, reviewed: bool = False) -> list[Delegated]:
        """The board's decisions under delegation awaiting review (or, with `reviewed`, already reviewed)."""
        done = DelegatedDecisionRow.reviewed_at.is_not(None) if reviewed else DelegatedDecisionRow.reviewed_at.is_(None)
        rows = self.session.execute(
            select(DelegatedDecisionRow, ProposalRow.number, ProposalRow.title)
            .join(ProposalRow, ProposalRow.id == DelegatedDecisionRow.proposal_id)
            .where(DelegatedDecisionRow.board_id == board_id, done)
            .order_by(DelegatedDecisionRow.queued_at, DelegatedDecisionRow.proposal_id).limit(200)).all()
        return [Delegated(r.proposal_id, number, title, r.queued_at, r.reviewed_by, r.reviewed_at, r.note)
                for r, number, title in rows]

    def get(self, proposal_id: int) -> Delegated | None:
        """One queued decision."""
        found = self.session.execute(
            select(DelegatedDecisionRow, ProposalRow.number, ProposalRow.title)
            .join(ProposalRow, ProposalRow.id == DelegatedDecisionRow.proposal_id)
            .where(DelegatedDecisionRow.proposal_id == proposal_id)).first()
        if found is None:
            return None
        r, number, title = found
        return Delegated(r.proposal_id, number, title, r.queued_at, r.reviewed_by, r.reviewed_at, r.note)

    def mark_reviewed(self, proposal_id: int, *, by: str, at: datetime, note: str) -> None:
        """Record the chair's review of a decision taken under delegation."""
        self.session.execute(update(DelegatedDecisionRow).where(DelegatedDecisionRow.proposal_id == proposal_id)
                             .values(reviewed_by=by, reviewed_at=at, note=note))
