"""A decision's vote history: every position each member took, in order."""

from __future__ import annotations

from bot.domain.decisions import PositionChange
from bot.domain.snapshot import PollSnapshot
from bot.domain.text import escape
from prompts.blocks.common import context, header, message, section, sections
from prompts.blocks.polls import OUTCOME_LABELS, POSITION_LABELS, when


def by_member(changes: tuple[PositionChange, ...]) -> dict[str, list[PositionChange]]:
    """The changes grouped per member, in the order members first took a position."""
    grouped: dict[str, list[PositionChange]] = {}
    for change in changes:
        grouped.setdefault(change.user_id, []).append(change)
    return grouped


def decision_history(snap: PollSnapshot) -> dict:
    """Each member's positions on one decision with their times, for the chair or secretary."""
    title = f"{snap.number}: {snap.proposal.title}"
    outcome = OUTCOME_LABELS[snap.outcome] if snap.outcome else "Open"
    lines = []
    for user_id, changes in by_member(snap.history).items():
        steps = [f"{POSITION_LABELS[c.position]} ({when(c.at, snap.board.timezone)})"
                 + (f" by <@{c.proxy_by}> as proxy" if c.proxy_by else "") for c in changes]
        lines.append(f"<@{user_id}>: " + " → ".join(steps))
    if not lines:
        return message([header(title), section("Nobody took a position on this proposal.")], title)
    return message([header(title), context(f"{outcome} · every position each member took, oldest first"),
                    *sections(lines, max_blocks=45)], f"Vote history of {escape(title)}")
