"""The outbox: what the bot must still tell Slack, written in the same transaction as the change that causes it.

Dispatchers claim due rows under a short lease, call Slack, and record the outcome only while they still hold
that lease. Two small tables are shared by every process: the next moment each channel may be posted in
(pacing), and the Web API methods Slack has rate-limited (429) until some moment.

**The lock order.** On PostgreSQL, two transactions that lock the same rows in opposite orders deadlock. Every
writer takes its row locks in this order, skipping what it does not need:

1. the subject a change is about: a proposal (`ProposalRepository.get(lock=True)`, several at once in id
   order with `ProposalRepository.lock`) before its board's register number and its escalations; or a board,
   a checklist round, a review;
2. the audit log's head row: at commit, when the unit of work appends its events' audit entries (or early,
   with `AuditLog.lock_head`);
3. outbox rows: in id order where several are locked at once (`finish`, `extend`); a unit of work's new jobs
   are added at commit, after everything else it locked;
4. `outbox_channels` (pacing), in channel order.

A service locks its proposal first and reaches the audit log, then the outbox, at commit, so it follows the
order by itself. The dispatcher records outcomes the other way round (outbox rows, then what `on_sent`/`on_failed`
write), so it calls `lock_first` before `finish`: a poll posted for the first time has its proposal locked before
its job.
What this cannot foresee is retried once (storage/retry.py).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from datetime import datetime, timedelta

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    case,
    delete,
    exists,
    func,
    or_,
    select,
    text,
    type_coerce,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.domain.jobs import ClaimedJob, Job, JobState, Outcome, OutcomeKind
from bot.services import repositories_outbox as ports
from bot.services.repositories_outbox import JobStatus
from storage.db import rowcount
from storage.models import Base

PENDING, RUNNING, DONE, FAILED = (state.value for state in JobState)
SCAN = 4  # candidate rows read per job claimed: some are passed over for a channel already served
CANCELLED = "cancelled"


class OutboxRow(Base):
    """One job; `key` is its idempotency key."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("key", name="uq_outbox_key"),
        Index("ix_outbox_pending_due", "due_at", "id", postgresql_where=text("state = 'pending'"),
              sqlite_where=text("state = 'pending'")),
        Index("ix_outbox_running_lease", "lease_until", postgresql_where=text("state = 'running'"),
              sqlite_where=text("state = 'running'")),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    channel: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(DateTime)
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)
    redraw: Mapped[bool] = mapped_column(Boolean)
    spacing_ms: Mapped[int] = mapped_column(Integer)
    rerun: Mapped[bool] = mapped_column(Boolean)  # a redraw was asked for while it ran: run once more
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)


class ChannelPace(Base):
    """The next moment a job may post in a channel (or DM a user): about one post a second each."""

    __tablename__ = "outbox_channels"

    channel: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_at: Mapped[datetime] = mapped_column(DateTime)


class MethodPause(Base):
    """A Web API method Slack answered 429 for: no job calling it is claimed until `until`."""

    __tablename__ = "outbox_pauses"

    method: Mapped[str] = mapped_column(String(64), primary_key=True)
    until: Mapped[datetime] = mapped_column(DateTime)


T, P, M = (Base.metadata.tables[row.__tablename__] for row in (OutboxRow, ChannelPace, MethodPause))


class Outbox(ports.Outbox):
    """The outbox of one unit of work; every method runs in its transaction."""

    def __init__(self, session: Session):
        self.session = session

    def add(self, job: Job, *, now: datetime) -> None:
        """Insert a job, or merge it into the job with its key (see Job for the rules)."""
        values = dict(kind=job.kind, key=job.key, channel=job.channel, payload=_dump(job.payload), due_at=job.due_at,
                      state=PENDING, attempts=0, redraw=job.redraw, spacing_ms=_ms(job.spacing), rerun=False,
                      created_at=now, updated_at=now)
        for _ in range(3):  # the row in the way could be pruned between the two statements
            inserted = self.session.execute(
                self._insert(T).values(**values).on_conflict_do_nothing(index_elements=["key"]).returning(T.c.id))
            if inserted.first() is not None:
                return
            row = self.session.execute(self._locking(select(T).where(T.c.key == job.key))).first()
            if row is not None:
                self._merge(row, job, now=now)
                return
        raise RuntimeError(f"outbox key {job.key!r} kept vanishing")

    def _merge(self, row, job: Job, *, now: datetime) -> None:
        spaced = row.finished_at + job.spacing if job.redraw and row.finished_at is not None else job.due_at
        if row.state == PENDING:
            due = max(job.due_at, spaced)
            if due < row.due_at:
                self._set(row.id, due_at=due, updated_at=now)
        elif not job.redraw:
            return  # the same event again: it was or is being sent, once
        elif row.state == RUNNING:
            self._set(row.id, rerun=True, payload=_dump(job.payload), spacing_ms=_ms(job.spacing), updated_at=now)
        else:
            self._set(row.id, state=PENDING, due_at=max(job.due_at, spaced), attempts=0, last_error=None,
                      payload=_dump(job.payload), channel=job.channel, spacing_ms=_ms(job.spacing), redraw=True,
                      updated_at=now)

    def reschedule(self, key: str, due_at: datetime, *, now: datetime) -> None:
        """Move a pending job to a new due time; a job that is running or finished is left alone."""
        self.session.execute(update(T).where(T.c.key == key, T.c.state == PENDING)
                             .values(due_at=due_at, updated_at=now))

    def bring_forward(self, key: str, *, now: datetime) -> int:
        """Make pending jobs keyed `key` (or `key:…`) due now: what waited on something just done; how many."""
        keyed = or_(T.c.key == key, T.c.key.startswith(f"{key}:", autoescape=True))
        return rowcount(self.session.execute(update(T).where(keyed, T.c.state == PENDING, T.c.due_at > now)
                                             .values(due_at=now, updated_at=now)))

    def cancel(self, key: str, *, now: datetime) -> None:
        """Mark a pending job done without sending it; a job that is running or finished is left alone."""
        self.session.execute(update(T).where(T.c.key == key, T.c.state == PENDING)
                             .values(state=DONE, finished_at=now, last_error=CANCELLED, updated_at=now))

    def claim(self, *, kinds: Collection[str], owner: str, now: datetime, lease: timedelta, limit: int,
              pace: timedelta, skip: Collection[int] = ()) -> list[ClaimedJob]:
        """Lease up to `limit` due jobs of `kinds` to `owner`, at most one per channel, each channel's pace allowing.

        Due means pending and due, or running under a lease that has expired (its holder died or stalled).
        Each channel served is booked until now + `pace` for every process. `skip` names jobs the caller
        is still sending, which it must never claim twice.
        """
        if not kinds or limit <= 0:
            return []
        # Two index-ordered scans that stop after a few rows, rather than sorting everything that is due.
        paced = exists().where(P.c.channel == T.c.channel, P.c.next_at > now)
        kinds_skip = [T.c.kind.in_(list(kinds)), ~paced] + ([T.c.id.not_in(list(skip))] if skip else [])
        expired = select(T).where(T.c.state == RUNNING, T.c.lease_until <= now, *kinds_skip).order_by(T.c.lease_until)
        due = select(T).where(T.c.state == PENDING, T.c.due_at <= now, *kinds_skip).order_by(T.c.due_at, T.c.id)
        rows = [row for query in (expired, due)
                for row in self.session.execute(self._locking(query.limit(limit * SCAN), skip_locked=True))]
        chosen, channels = [], set()
        for row in rows:
            if row.channel is not None and row.channel in channels:
                continue
            channels.add(row.channel)
            chosen.append(row)
            if len(chosen) == limit:
                break
        granted = self._book(sorted(c for c in channels if c is not None), until=now + pace, now=now)
        chosen = [row for row in chosen if row.channel is None or row.channel in granted]
        if not chosen:
            return []
        lease_until = now + lease
        self.session.execute(update(T).where(T.c.id.in_([row.id for row in chosen])).values(
            state=RUNNING, lease_owner=owner, lease_until=lease_until, attempts=T.c.attempts + 1, rerun=False,
            updated_at=now))
        return [ClaimedJob(row.id, _job(row), row.attempts + 1, owner, lease_until, _load(row.result))
                for row in chosen]

    def _book(self, channels: list[str], *, until: datetime, now: datetime) -> set[str]:
        """Book each channel whose pace allows a post now; the channels booked (others lost to another process)."""
        if not channels:
            return set()
        # In sorted order, so two claimers that wait on each other's rows never deadlock.
        upsert = self._insert(P).values([{"channel": c, "next_at": until} for c in channels])
        upsert = upsert.on_conflict_do_update(index_elements=["channel"], set_={"next_at": upsert.excluded.next_at},
                                              where=P.c.next_at <= now).returning(P.c.channel)
        return set(self.session.execute(upsert).scalars())

    def extend(self, claims: Iterable[ClaimedJob], *, now: datetime, lease: timedelta) -> set[int]:
        """Extend the leases of jobs still being sent; the ids of those still held."""
        claims = list(claims)
        if not claims:
            return set()
        held = and_(T.c.id.in_([c.id for c in claims]), T.c.lease_owner.in_({c.owner for c in claims}),
                    T.c.state == RUNNING)
        return set(self.session.execute(update(T).where(held).values(lease_until=now + lease, updated_at=now)
                                        .returning(T.c.id)).scalars())

    def finish(self, claimed: ClaimedJob, outcome: Outcome, *, now: datetime) -> bool:
        """Record one run's outcome if `claimed`'s lease is still held (the row stays locked to this transaction).

        A job sent while a redraw was asked for is pending again, `spacing` later. The outcome's result, if any,
        is kept (after a failed try, the posts it may have made: bot/outbound/lookup.py). False if the lease was
        lost.
        """
        values: dict[str, object] = dict(lease_owner=None, lease_until=None, rerun=False, updated_at=now,
                                         last_error=_error(outcome))
        if outcome.kind is OutcomeKind.SENT:
            again = T.c.rerun.is_(True)
            values.update(state=case((again, PENDING), else_=DONE), finished_at=now,
                          due_at=case((again, now + claimed.job.spacing), else_=T.c.due_at),
                          attempts=case((again, 0), else_=T.c.attempts))
        elif outcome.kind is OutcomeKind.FAILED:
            values.update(state=FAILED, finished_at=now)
        else:
            values.update(state=PENDING, due_at=outcome.at)
            if outcome.kind is OutcomeKind.DEFERRED:
                values["attempts"] = claimed.attempts - 1
        if outcome.result is not None:  # what was sent, or (after a failed try) what may have been
            values["result"] = _dump(outcome.result)
        held = and_(T.c.id == claimed.id, T.c.lease_owner == claimed.owner, T.c.state == RUNNING)
        return rowcount(self.session.execute(update(T).where(held).values(**values))) == 1

    def note(self, job_id: int, error: str, *, now: datetime) -> None:
        """Keep an error about a job that has already been recorded (a hook that failed)."""
        self._set(job_id, last_error=error[:2000], updated_at=now)

    def pause(self, method: str, until: datetime) -> None:
        """Claim no job calling `method` before `until` (a 429's Retry-After), in every process."""
        upsert = self._insert(M).values(method=method, until=until)
        self.session.execute(upsert.on_conflict_do_update(index_elements=["method"], set_={"until": until},
                                                          where=M.c.until < until))

    def paused(self, *, now: datetime) -> dict[str, datetime]:
        """The methods paused at `now`, and until when."""
        return dict(self.session.execute(select(M.c.method, M.c.until).where(M.c.until > now)).all())

    def next_due(self, kinds: Collection[str], *, now: datetime) -> datetime | None:
        """The earliest moment a job of `kinds` may become claimable: a due time, a channel's pace, a lease's end."""
        if not kinds:
            return None
        kinds = list(kinds)
        ready = case((and_(P.c.next_at.is_not(None), P.c.next_at > T.c.due_at), P.c.next_at), else_=T.c.due_at)
        pending = select(func.min(type_coerce(ready, DateTime))).select_from(
            T.outerjoin(P, P.c.channel == T.c.channel)).where(T.c.state == PENDING, T.c.kind.in_(kinds))
        leased = select(func.min(T.c.lease_until)).where(T.c.state == RUNNING, T.c.kind.in_(kinds))
        moments = [self.session.execute(q).scalar() for q in (pending, leased)]
        return min((m for m in moments if m is not None), default=None)

    def status(self, key: str) -> JobStatus | None:
        """The job with this key, as it stands."""
        row = self.session.execute(select(T).where(T.c.key == key)).first()
        if row is None:
            return None
        return JobStatus(row.id, row.key, JobState(row.state), row.due_at, row.attempts, bool(row.rerun),
                         row.lease_owner, row.lease_until, row.last_error, _load(row.result), row.finished_at)

    def prune(self, *, before: datetime) -> int:
        """Forget jobs finished before `before`, and pacing and pauses over by then; how many jobs went.

        A finished job's key stops a repeated event from sending twice: keep them for days, not minutes.
        """
        gone = self.session.execute(delete(T).where(T.c.state.in_([DONE, FAILED]), T.c.finished_at < before))
        self.session.execute(delete(P).where(P.c.next_at < before))
        self.session.execute(delete(M).where(M.c.until < before))
        return rowcount(gone)

    def _set(self, job_id: int, **values) -> None:
        self.session.execute(update(T).where(T.c.id == job_id).values(**values))

    def _insert(self, table):
        dialect = postgresql if self._postgresql else sqlite
        return dialect.insert(table)

    def _locking(self, query, *, skip_locked: bool = False):
        # SQLite has no row locks and silently drops FOR UPDATE: there, every writer runs under BEGIN IMMEDIATE
        # (storage/db.py), so a claim or merge is the only writer in the whole database until it commits.
        return query.with_for_update(skip_locked=skip_locked, of=T) if self._postgresql else query

    @property
    def _postgresql(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"


def _job(row) -> Job:
    return Job(row.kind, row.key, row.due_at, _load(row.payload) or {}, row.channel, redraw=bool(row.redraw),
               spacing=timedelta(milliseconds=row.spacing_ms))


def _error(outcome: Outcome) -> str | None:
    if outcome.error is None:
        return None
    return f"{outcome.error}: {outcome.detail}"[:2000] if outcome.detail else outcome.error


def _dump(value: dict | None) -> str | None:
    return None if value is None else json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)


def _load(value: str | None) -> dict | None:
    return None if value is None else json.loads(value)


def _ms(spacing: timedelta) -> int:
    return round(spacing.total_seconds() * 1000)
