"""The outbox and the audit log, as the services and the dispatcher use them, and what `audit verify` reads."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.audit import AuditEvent
from bot.domain.audit_rows import Row
from bot.domain.jobs import ClaimedJob, Job, JobState, Outcome


@dataclass(frozen=True)
class JobStatus:
    """Where one job stands, for operators and tests."""

    id: int
    key: str
    state: JobState
    due_at: datetime
    attempts: int
    rerun: bool
    lease_owner: str | None
    lease_until: datetime | None
    last_error: str | None
    result: dict | None
    finished_at: datetime | None


class Outbox(ABC):
    """The outbox of one unit of work; every method runs in its transaction."""

    @abstractmethod
    def add(self, job: Job, *, now: datetime) -> None:
        """Insert a job, or merge it into the job with its key (see Job for the rules)."""

    @abstractmethod
    def reschedule(self, key: str, due_at: datetime, *, now: datetime) -> None:
        """Move a pending job to a new due time; a job that is running or finished is left alone."""

    @abstractmethod
    def bring_forward(self, key: str, *, now: datetime) -> int:
        """Make pending jobs keyed `key` (or `key:…`) due now: what waited on something just done; how many."""

    @abstractmethod
    def cancel(self, key: str, *, now: datetime) -> None:
        """Mark a pending job done without sending it; a job that is running or finished is left alone."""

    @abstractmethod
    def claim(self, *, kinds: Collection[str], owner: str, now: datetime, lease: timedelta, limit: int,
              pace: timedelta, skip: Collection[int] = ()) -> list[ClaimedJob]:
        """Lease up to `limit` due jobs of `kinds` to `owner`, at most one per channel, each channel's pace allowing.

        Due means pending and due, or running under a lease that has expired (its holder died or stalled).
        Each channel served is booked until now + `pace` for every process. `skip` names jobs the caller
        is still sending, which it must never claim twice.
        """

    @abstractmethod
    def extend(self, claims: Iterable[ClaimedJob], *, now: datetime, lease: timedelta) -> set[int]:
        """Extend the leases of jobs still being sent; the ids of those still held."""

    @abstractmethod
    def finish(self, claimed: ClaimedJob, outcome: Outcome, *, now: datetime) -> bool:
        """Record one run's outcome if `claimed`'s lease is still held (the row stays locked to this transaction).

        A job sent while a redraw was asked for is pending again, `spacing` later. The outcome's result, if any,
        is kept (after a failed try, the posts it may have made: bot/outbound/lookup.py). False if the lease was
        lost.
        """

    @abstractmethod
    def note(self, job_id: int, error: str, *, now: datetime) -> None:
        """Keep an error about a job that has already been recorded (a hook that failed)."""

    @abstractmethod
    def pause(self, method: str, until: datetime) -> None:
        """Claim no job calling `method` before `until` (a 429's Retry-After), in every process."""

    @abstractmethod
    def paused(self, *, now: datetime) -> dict[str, datetime]:
        """The methods paused at `now`, and until when."""

    @abstractmethod
    def next_due(self, kinds: Collection[str], *, now: datetime) -> datetime | None:
        """The earliest moment a job of `kinds` may become claimable: a due time, a channel's pace, a lease's end."""

    @abstractmethod
    def status(self, key: str) -> JobStatus | None:
        """The job with this key, as it stands."""

    @abstractmethod
    def prune(self, *, before: datetime) -> int:
        """Forget jobs finished before `before`, and pacing and pauses over by then; how many jobs went.

        A finished job's key stops a repeated event from sending twice: keep them for days, not minutes.
        """


class AuditLog(ABC):
    """The audit log inside one unit of work."""

    @abstractmethod
    def lock_head(self) -> None:
        """Take the head row lock now, ahead of outbox rows (the lock order, storage/outbox.py), to append later."""

    @abstractmethod
    def append(self, *, actor: str, action: str, payload: dict, at: datetime) -> AuditEvent:
        """Chain a new event, which happened `at`, to the tip; the head row lock makes concurrent appends queue."""

    @abstractmethod
    def append_many(self, events: Iterable[tuple[str, str, dict]], *, at: datetime) -> None:
        """Chain (actor, action, payload) events, all at `at`, taking the head lock once: a bulk import's rows."""

    @abstractmethod
    def pseudonym(self, proposal_id: int, user_id: str) -> str:
        """How a secret ballot's events name this voter: stable per proposal, meaningless without the key."""

    @abstractmethod
    def respondent(self, round_id: int, user_id: str) -> str:
        """How an unattributed checklist round names this respondent: stable per round, meaningless without the key."""


class AuditTables(ABC):
    """The audit log read end to end, and the tables `audit verify` compares with it, keyed as its replay keys them."""

    @abstractmethod
    def snapshot(self) -> None:
        """Read everything after this as of one moment (call it first), so a change landing mid-check is not seen."""

    @abstractmethod
    def head(self) -> tuple[int, str]:
        """The recorded tip of the chain: last sequence number and hash."""

    @abstractmethod
    def events(self) -> Iterator[AuditEvent]:
        """Every event in order."""

    @abstractmethod
    def members(self) -> dict[tuple[int, str], tuple[str, str]]:
        """Every board seat: (board_id, user) -> (organisation name, role)."""

    @abstractmethod
    def votes(self) -> list[tuple[int, str, str, bool]]:
        """Every vote: (proposal_id, user, position, whether the ballot is secret)."""

    @abstractmethod
    def history(self) -> list[tuple[int, str, str, str, bool]]:
        """Every change of position, oldest first: (proposal_id, user, position, reason, whether secret)."""

    @abstractmethod
    def proposals(self) -> dict[tuple, Row]:
        """Every proposal: (proposal_id,) -> status, register number, outcome and what it was opened with."""

    @abstractmethod
    def escalations(self) -> dict[tuple, Row]:
        """Every escalation: (escalation_id,) -> its state, level and who answered."""

    @abstractmethod
    def organisation_names(self) -> dict[int, str]:
        """Every organisation's current name by id."""

    @abstractmethod
    def authorities(self) -> dict[tuple, Row]:
        """Every version of every limit: (organisation_id, user, category, version) -> the limit in words, dates."""

    @abstractmethod
    def chain_levels(self) -> dict[tuple, Row]:
        """Every level of every escalation chain: (organisation_id, position) -> title, approvers and limit."""

    @abstractmethod
    def answers(self) -> list[tuple[int, str, str, str | None, str, str]]:
        """Every attributed checklist answer: (round_id, user, question_id, value, note, evidence)."""

    @abstractmethod
    def tallies(self) -> list[tuple[int, str, str, int]]:
        """Every count of an unattributed round: (round_id, question_id, value, how many chose it)."""
