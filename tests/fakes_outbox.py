"""In-memory fakes of the outbox (storage/outbox.py): jobs by key with their leases, channel pacing and pauses.

Their state lives in `Store.jobs`, so the fake unit of work's copy-on-enter and copy-on-commit cover it. Job
payloads and results come back from a claim or a status as the SQL version returns them: through JSON.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.domain.jobs import ClaimedJob, Job, JobState, Outcome, OutcomeKind
from bot.services import repositories_outbox as ports
from bot.services.repositories_outbox import JobStatus

if TYPE_CHECKING:
    from tests.fakes import Store

SCAN = 4  # candidate jobs read per job claimed, as storage/outbox.py reads them
CANCELLED = "cancelled"


@dataclass
class Row:
    """One outbox row."""

    id: int
    job: Job
    state: JobState = JobState.PENDING
    attempts: int = 0
    lease_owner: str | None = None
    lease_until: datetime | None = None
    last_error: str | None = None
    result: dict | None = None
    rerun: bool = False
    finished_at: datetime | None = None


@dataclass
class OutboxState:
    """The outbox's three tables: jobs by key (in the order added), channels' next moments, paused methods."""

    rows: dict[str, Row] = field(default_factory=dict)
    paces: dict[str, datetime] = field(default_factory=dict)
    pauses: dict[str, datetime] = field(default_factory=dict)
    last_id: int = 0

    def cancelled(self) -> set[str]:
        """The keys of jobs cancelled before they ran."""
        return {k for k, r in self.rows.items() if r.state is JobState.DONE and r.last_error == CANCELLED}


def _stored(value: dict | None) -> dict | None:
    return None if value is None else json.loads(json.dumps(value, separators=(",", ":"), sort_keys=True,
                                                            default=str))


def _error(outcome: Outcome) -> str | None:
    if outcome.error is None:
        return None
    return f"{outcome.error}: {outcome.detail}"[:2000] if outcome.detail else outcome.error


class FakeOutbox(ports.Outbox):
    def __init__(self, s: Store):
        self.o: OutboxState = s.jobs

    def _pending(self, key: str) -> Row | None:
        row = self.o.rows.get(key)
        return row if row is not None and row.state is JobState.PENDING else None

    def add(self, job: Job, *, now: datetime) -> None:
        row = self.o.rows.get(job.key)
        if row is None:
            self.o.last_id += 1
            self.o.rows[job.key] = Row(self.o.last_id, job)
            return
        spaced = row.finished_at + job.spacing if job.redraw and row.finished_at is not None else job.due_at
        if row.state is JobState.PENDING:
            due = max(job.due_at, spaced)
            if due < row.job.due_at:
                row.job = replace(row.job, due_at=due)
        elif not job.redraw:
            return
        elif row.state is JobState.RUNNING:
            row.rerun, row.job = True, replace(row.job, payload=job.payload, spacing=job.spacing)
        else:
            row.job = replace(row.job, due_at=max(job.due_at, spaced), payload=job.payload, channel=job.channel,
                              spacing=job.spacing, redraw=True)
            row.state, row.attempts, row.last_error = JobState.PENDING, 0, None

    def reschedule(self, key: str, due_at: datetime, *, now: datetime) -> None:
        if row := self._pending(key):
            row.job = replace(row.job, due_at=due_at)

    def bring_forward(self, key: str, *, now: datetime) -> int:
        keyed = [r for k, r in self.o.rows.items() if (k == key or k.startswith(f"{key}:"))
                 and r.state is JobState.PENDING and r.job.due_at > now]
        for row in keyed:
            row.job = replace(row.job, due_at=now)
        return len(keyed)

    def cancel(self, key: str, *, now: datetime) -> None:
        if row := self._pending(key):
            row.state, row.finished_at, row.last_error = JobState.DONE, now, CANCELLED

    def claim(self, *, kinds: Collection[str], owner: str, now: datetime, lease: timedelta, limit: int,
              pace: timedelta, skip: Collection[int] = ()) -> list[ClaimedJob]:
        if not kinds or limit <= 0:
            return []
        ready = [r for r in self.o.rows.values() if r.job.kind in kinds and r.id not in skip
                 and self.o.paces.get(r.job.channel or "", now) <= now]
        expired = sorted((r for r in ready if r.state is JobState.RUNNING and (r.lease_until or now) <= now),
                         key=lambda r: r.lease_until or now)
        due = sorted((r for r in ready if r.state is JobState.PENDING and r.job.due_at <= now),
                     key=lambda r: (r.job.due_at, r.id))
        chosen: list[Row] = []
        channels: set[str | None] = set()
        for row in expired[:limit * SCAN] + due[:limit * SCAN]:
            if row.job.channel is not None and row.job.channel in channels:
                continue
            channels.add(row.job.channel)
            chosen.append(row)
            if len(chosen) == limit:
                break
        for channel in channels:
            if channel is not None:
                self.o.paces[channel] = now + pace
        for row in chosen:
            row.state, row.lease_owner, row.lease_until = JobState.RUNNING, owner, now + lease
            row.attempts, row.rerun = row.attempts + 1, False
        return [ClaimedJob(r.id, replace(r.job, payload=_stored(r.job.payload) or {}), r.attempts, owner,
                           now + lease, _stored(r.result)) for r in chosen]

    def _held(self, job_id: int, owners: Collection[str]) -> Row | None:
        return next((r for r in self.o.rows.values() if r.id == job_id and r.lease_owner in owners
                     and r.state is JobState.RUNNING), None)

    def extend(self, claims: Iterable[ClaimedJob], *, now: datetime, lease: timedelta) -> set[int]:
        claims = list(claims)
        owners = {c.owner for c in claims}
        held = [row for c in claims if (row := self._held(c.id, owners))]
        for row in held:
            row.lease_until = now + lease
        return {row.id for row in held}

    def finish(self, claimed: ClaimedJob, outcome: Outcome, *, now: datetime) -> bool:
        row = self._held(claimed.id, {claimed.owner})
        if row is None:
            return False
        again, row.rerun = row.rerun, False
        row.lease_owner, row.lease_until, row.last_error = None, None, _error(outcome)
        if outcome.kind is OutcomeKind.SENT:
            row.state, row.finished_at = (JobState.PENDING if again else JobState.DONE), now
            if again:
                row.job, row.attempts = replace(row.job, due_at=now + claimed.job.spacing), 0
        elif outcome.kind is OutcomeKind.FAILED:
            row.state, row.finished_at = JobState.FAILED, now
        else:
            assert outcome.at is not None
            row.state, row.job = JobState.PENDING, replace(row.job, due_at=outcome.at)
            if outcome.kind is OutcomeKind.DEFERRED:
                row.attempts = claimed.attempts - 1
        if outcome.result is not None:
            row.result = _stored(outcome.result)
        return True

    def note(self, job_id: int, error: str, *, now: datetime) -> None:
        for row in self.o.rows.values():
            if row.id == job_id:
                row.last_error = error[:2000]

    def pause(self, method: str, until: datetime) -> None:
        if method not in self.o.pauses or self.o.pauses[method] < until:
            self.o.pauses[method] = until

    def paused(self, *, now: datetime) -> dict[str, datetime]:
        return {method: until for method, until in self.o.pauses.items() if until > now}

    def next_due(self, kinds: Collection[str], *, now: datetime) -> datetime | None:
        if not kinds:
            return None
        moments = []
        for row in self.o.rows.values():
            if row.job.kind not in kinds:
                continue
            if row.state is JobState.PENDING:
                paced = self.o.paces.get(row.job.channel) if row.job.channel is not None else None
                moments.append(paced if paced is not None and paced > row.job.due_at else row.job.due_at)
            elif row.state is JobState.RUNNING and row.lease_until is not None:
                moments.append(row.lease_until)
        return min(moments, default=None)

    def status(self, key: str) -> JobStatus | None:
        row = self.o.rows.get(key)
        if row is None:
            return None
        return JobStatus(row.id, key, row.state, row.job.due_at, row.attempts, row.rerun, row.lease_owner,
                         row.lease_until, row.last_error, _stored(row.result), row.finished_at)

    def prune(self, *, before: datetime) -> int:
        gone = [k for k, r in self.o.rows.items() if r.state in (JobState.DONE, JobState.FAILED)
                and r.finished_at is not None and r.finished_at < before]
        for key in gone:
            del self.o.rows[key]
        self.o.paces = {c: at for c, at in self.o.paces.items() if at >= before}
        self.o.pauses = {m: at for m, at in self.o.pauses.items() if at >= before}
        return len(gone)
