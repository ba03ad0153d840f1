"""Rebuild proposals (status, register number, outcome) and escalations (state, level, who answered) from the audit
log, as rows to compare with the tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from bot.domain.audit import AuditEvent
from bot.domain.audit_rows import Row, need
from bot.domain.events import OutcomeSettled, PollClosed
from bot.domain.events_governance import (
    EscalationDeclined,
    EscalationEndorsed,
    EscalationMovedUp,
    EscalationOpened,
    EscalationReminded,
    EscalationToppedOut,
    EscalationUnrouted,
    EscalationWithdrawn,
    ProposalOpened,
)

# The columns `proposal.opened` names, and what the proposals table calls them.
OPENED_COLUMNS = ("title", "category", "amount_pence", "rule", "secret")
# The state each action leaves an escalation in.
ESCALATION_STARTS = {EscalationOpened.ACTION: "open", EscalationUnrouted.ACTION: "no_route"}
ANSWERS = {EscalationEndorsed.ACTION: "endorsed", EscalationDeclined.ACTION: "declined"}


@dataclass
class Proposals:
    """Each proposal's row as the log describes it: (proposal_id,) -> columns."""

    ACTIONS: ClassVar[tuple[str, ...]] = (ProposalOpened.ACTION, PollClosed.ACTION, OutcomeSettled.ACTION)
    rows: dict[tuple, Row] = field(default_factory=dict)

    def apply(self, event: AuditEvent) -> None:
        """Apply a proposal's opening, closing or settling."""
        p = event.payload
        if event.action == ProposalOpened.ACTION:
            (proposal,) = need(p, "proposal_id")
            self.rows[(proposal,)] = {"status": "open", "number": None, "outcome": None,
                                      **{c: p[c] for c in OPENED_COLUMNS if c in p}}
        elif event.action == PollClosed.ACTION:
            proposal, number, outcome = need(p, "proposal_id", "number", "outcome")
            self._row(proposal).update(status="closed", number=number, outcome=outcome)
        elif event.action == OutcomeSettled.ACTION:
            proposal, outcome = need(p, "proposal_id", "outcome")
            self._row(proposal)["outcome"] = outcome

    def _row(self, proposal: int) -> Row:
        # A proposal closed in the log but never opened there is still a row the log describes.
        return self.rows.setdefault((proposal,), {})


@dataclass
class Escalations:
    """Each escalation's row as the log describes it: (escalation_id,) -> columns."""

    ACTIONS: ClassVar[tuple[str, ...]] = (
        *ESCALATION_STARTS, EscalationReminded.ACTION, EscalationMovedUp.ACTION, EscalationToppedOut.ACTION, *ANSWERS,
        EscalationWithdrawn.ACTION)
    rows: dict[tuple, Row] = field(default_factory=dict)

    def apply(self, event: AuditEvent) -> None:
        """Apply an escalation's event: opened, reminded, moved up, topped out, answered or withdrawn."""
        p, action = event.payload, event.action
        if action in ESCALATION_STARTS:
            escalation, proposal, level, approvers = need(p, "escalation_id", "proposal_id", "level", "approvers")
            self.rows[(escalation,)] = {
                "proposal_id": proposal, "state": ESCALATION_STARTS[action],
                "level_title": level, "approvers": " ".join(approvers), "reminded": False, "answered_by": None,
                "answered_for": None, "comment": "", **_optional(p, amount_pence="amount_pence",
                                                                 level_position="position")}
            return
        (escalation,) = need(p, "escalation_id")
        row = self.rows.setdefault((escalation,), {})
        if action == EscalationReminded.ACTION:
            row["reminded"] = True
        elif action == EscalationMovedUp.ACTION:
            level, approvers = need(p, "level", "approvers")
            row.update(level_title=level, approvers=" ".join(approvers), reminded=False,
                       **_optional(p, level_position="position"))
        elif action in ANSWERS:
            answered_for, comment = need(p, "for", "comment")
            row.update(state=ANSWERS[action], answered_by=event.actor, answered_for=answered_for, comment=comment)
        elif action == EscalationWithdrawn.ACTION:
            row["state"] = "withdrawn"


def _optional(payload: dict, **columns: str) -> Row:
    """The columns whose fields the payload carries (events written before a field was added lack it)."""
    return {column: payload[name] for column, name in columns.items() if name in payload}
