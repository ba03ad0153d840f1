"""Every kind of outbox job, found in bot/outbound/kinds/: what events cause, what the dispatcher sends, and what
it records when a job is sent or fails for good. The one place that looks a job's kind up.

A kind is a module-level JobKind in a module of bot/outbound/kinds/; adding one needs nothing here. One event's
effects come in the order its kinds are found: modules by name, kinds in the order each module declares them.
"""

from __future__ import annotations

import functools
import importlib
import logging
import pkgutil
from enum import StrEnum
from typing import Any

from bot.domain.events import Event, Notice, SendFailed
from bot.domain.jobs import ClaimedJob, Effect, Outcome, OutcomeKind, SendFailure
from bot.outbound import kinds
from bot.outbound.client import Sender
from bot.outbound.kinds.base import JobKind, Lock, SendContext
from bot.services.uow import AbstractUnitOfWork

log = logging.getLogger(__name__)


def _discover() -> dict[str, JobKind[Any]]:
    """The kinds declared in bot/outbound/kinds/, by the name of their constant."""
    found: dict[str, JobKind[Any]] = {}
    for module in sorted(m.name for m in pkgutil.iter_modules(kinds.__path__)):
        for constant, value in vars(importlib.import_module(f"{kinds.__name__}.{module}")).items():
            if isinstance(value, JobKind) and all(value is not kind for kind in found.values()):
                found[constant] = value
    return found


KINDS = _discover()
BY_NAME = {kind.name: kind for kind in KINDS.values()}
# mypy reads an Enum's members only from a literal, and these are found at import: that one check is waived.
Kind = StrEnum("Kind", {constant: kind.name for constant, kind in KINDS.items()})  # type: ignore[misc]
_REACTING: dict[type, list[JobKind[Any]]] = {}
for _kind in KINDS.values():
    for _event in _kind.reacts:
        _REACTING.setdefault(_event, []).append(_kind)


def effects_of(event: Event) -> list[Effect]:
    """The jobs (and changes to pending jobs) one event causes; none for an event that is only audited."""
    return [effect for kind in _REACTING.get(type(event), ()) for effect in kind.reacts[type(event)](event)]


def senders(ctx: SendContext) -> dict[str, Sender]:
    """Every kind's sender, calling Slack through `ctx.client` (which must not retry 429s or 5xx itself)."""
    return {kind.name: Sender(kind.method, functools.partial(kind.run, ctx)) for kind in KINDS.values()}


def lock_first(uow: AbstractUnitOfWork, runs: list[tuple[ClaimedJob, Outcome]]) -> None:
    """Before the dispatcher locks outbox rows, lock what on_sent and on_failed will write, in the lock order
    (storage/outbox.py): the proposals, then the reviews the kinds name, then the audit head."""
    rows: dict[Lock, set[int]] = {lock: set() for lock in Lock}
    for claimed, outcome in runs:
        kind = BY_NAME.get(claimed.job.kind)
        if kind is not None and kind.locks is not None and outcome.kind in (OutcomeKind.SENT, OutcomeKind.FAILED):
            for lock, row in kind.locks(kind.payload.decode(claimed.job.payload), outcome):
                rows[lock].add(row)
    uow.proposals.lock(sorted(rows[Lock.PROPOSAL]))
    for review_id in sorted(rows[Lock.REVIEW]):
        uow.reviews.get(review_id, lock=True)
    if any(outcome.kind is OutcomeKind.FAILED for _, outcome in runs):
        uow.audit.lock_head()


def on_sent(uow: AbstractUnitOfWork, claimed: ClaimedJob, result: dict | None) -> None:
    """Keep what a send tells us (where a poll message is) and what follows it (a review's next reminder)."""
    kind = BY_NAME.get(claimed.job.kind)
    if kind is not None and kind.on_sent is not None:
        kind.on_sent(uow, kind.payload.decode(claimed.job.payload), result)


def on_failed(uow: AbstractUnitOfWork, claimed: ClaimedJob, failure: SendFailure) -> None:
    """A job failed for good: audit it, and tell the person who can fix it, once."""
    job, now, error = claimed.job, uow.clock.now(), failure.code
    uow.record(SendFailed(now, job.kind, job.key, error, failure.method))
    kind = BY_NAME.get(job.kind)
    if kind is not None:
        payload = kind.payload.decode(job.payload)
        if kind.on_failed is not None:
            kind.on_failed(uow, payload)
        tell = kind.audience(uow, payload, failure)
        if tell is not None:
            to, content = tell
            uow.record(Notice(now, to, "message", content, key=f"failed:{job.key}"))
    log.warning("gave up on %s (%s): %s refused it: %s%s", job.kind, job.key, failure.method or "Slack", error,
                f" (it needs the {failure.needed} scope)" if failure.needed else "")
