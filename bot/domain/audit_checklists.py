"""Rebuild checklist answers from the audit log, as rows to compare with the checklist tables.

An attributed round's `checklist.answered` events name the member, so each answer is compared with
checklist_answers. An unattributed round keeps only counts (checklist_tallies) and its log names nobody: its
`checklist.closed` event records the counts once the round is closed, so only a closed round's counts per question
and answer are compared, never who gave them; an open one's are not compared yet. Answers given before the log
recorded them cannot be compared: a round opened since answers are logged (its opening event says so, and round
ids only grow, so every later round too) is compared row by row; an older one only in the answers the log holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from bot.domain.audit import AuditEvent
from bot.domain.audit_rows import Malformed, Row, need
from bot.domain.events import RoundOpened
from bot.domain.events_checklists import ChecklistAnswered, ChecklistClosed


@dataclass
class Answers:
    """Attributed answers: (round_id, user, question_id) -> columns; closed unattributed rounds' counts."""

    ACTIONS: ClassVar[tuple[str, ...]] = (RoundOpened.ACTION, ChecklistAnswered.ACTION, ChecklistClosed.ACTION)
    rows: dict[tuple, Row] = field(default_factory=dict)
    counts: dict[tuple, Row] = field(default_factory=dict)  # (round_id, question_id, value) -> {"answers": n}
    logged_from: int | None = None  # the first round opened since answers are logged
    counted: set[int] = field(default_factory=set)  # unattributed rounds closed with their counts in the log

    def logs_every_answer(self, round_id: int) -> bool:
        """Whether every answer of the round is in the log (it was opened since answers are logged)."""
        return self.logged_from is not None and round_id >= self.logged_from

    def apply(self, event: AuditEvent) -> None:
        """Apply `checklist.opened` (whether it logs answers), `checklist.answered` or `checklist.closed`."""
        p = event.payload
        (round_id,) = need(p, "round_id")
        if event.action == RoundOpened.ACTION:
            if p.get("answers_logged") and self.logged_from is None:
                self.logged_from = round_id
        elif event.action == ChecklistAnswered.ACTION:
            user, question, value, note, evidence = need(p, "user", "question_id", "value", "note", "evidence")
            self.rows[(round_id, user, question)] = {"value": value or None, "note": note, "evidence": evidence}
        elif event.action == ChecklistClosed.ACTION and "counts" in p:
            self._close(round_id, p["counts"])

    def _close(self, round_id: int, counts: dict) -> None:
        if not isinstance(counts, dict) or not all(isinstance(v, dict) for v in counts.values()):
            raise Malformed("counts is not an object of questions to answers to counts")
        self.counted.add(round_id)
        for question, values in counts.items():
            for value, n in values.items():
                if n:
                    self.counts[(round_id, question, value)] = {"answers": n}


def count_rows(tallies: list[tuple[int, str, str, int]], rounds: set[int]) -> dict[tuple, Row]:
    """The table's counts of `rounds`, keyed as `Answers.counts` is: (round_id, question_id, value)."""
    return {(r, q, v): {"answers": n} for r, q, v, n in tallies if r in rounds and n}
