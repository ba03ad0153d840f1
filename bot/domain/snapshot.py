"""A poll as people see it: the read model every poll message and export is drawn from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.boards import Board
from bot.domain.decisions import Outcome, PositionChange, Result, Tally
from bot.domain.delegated import Delegated
from bot.domain.escalation import Escalation, EscalationState
from bot.domain.proposals import Proposal
from bot.domain.scheme import Authority


@dataclass(frozen=True)
class PollSnapshot:
    """Everything a poll message or outcome shows, read in one transaction."""

    board: Board
    proposal: Proposal
    tally: Tally
    result: Result | None
    number: str | None
    outcome: Outcome | None
    channel_id: str
    message_ts: str | None
    closed_by: str | None
    closed_at: datetime | None
    category_label: str
    history: tuple[PositionChange, ...] = ()  # loaded for the register and /collab history only
    escalations: tuple[Escalation, ...] = ()  # sign-off through each organisation that needed it
    delegated: Delegated | None = None  # taken under delegation, with its retrospective review
    authority: tuple[tuple[str, Authority], ...] = ()  # (organisation, authority) in force at the close: register

    def subject_to(self) -> dict[str, str]:
        """Organisations (by name) whose sign-off is still awaited, so their members' agreement is provisional."""
        return {e.organisation: e.organisation for e in self.escalations
                if e.state in (EscalationState.OPEN, EscalationState.NO_ROUTE)}
