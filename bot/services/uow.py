"""The abstract unit of work services use: one transaction, its repositories, and the events it records."""

from __future__ import annotations

import functools
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from itertools import groupby
from operator import itemgetter
from typing import ParamSpec, TypeVar, cast

from bot.clock import Clock
from bot.domain.events import Event
from bot.domain.jobs import Cancel, Effect, Reschedule
from bot.services.repositories import (
    BoardRepository,
    CategoryRepository,
    OrganisationRepository,
    People,
    ProcessedRequests,
    WorkspaceRepository,
)
from bot.services.repositories_checklists import (
    ActionRepository,
    AnswerRepository,
    RoundRepository,
    TemplateRepository,
)
from bot.services.repositories_decisions import ProposalRepository, ReminderRepository, ReviewRepository
from bot.services.repositories_delegation import (
    AuthorityRepository,
    CategoryRuleRepository,
    ChainRepository,
    DelegatedRepository,
    DeputyRepository,
    EscalationRepository,
)
from bot.services.repositories_outbox import AuditLog, AuditTables, Outbox

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")


# What an event causes in Slack: the outbox jobs (and changes to pending jobs) the job kinds declare. The
# composition root wires bot.outbound.registry.effects_of into each database (the registry's senders use the
# services, so the services cannot import it).
Effects = Callable[[Event], list[Effect]]


def unwired(event: Event) -> list[Effect]:
    """The effects of a database built without the job kinds' registry: committing an event is a mistake."""
    raise TypeError(f"this database has no effects function to turn {type(event).__name__} into outbox jobs: "
                    "build it with effects=bot.outbound.registry.effects_of")


class AlreadyHandled(Exception):
    """This request's key was claimed by an earlier delivery of it (a Slack retry): nothing more is done."""


class RequestScope:
    """One Slack request: its de-duplication key is claimed in the first transaction that commits.

    The claim commits or rolls back with the work it protects, so there is never a key to release.
    """

    def __init__(self, key: str | None):
        self.key, self.claimed, self.committed = key, False, False

    def before_commit(self, uow: AbstractUnitOfWork) -> None:
        """Claim the key inside the transaction; AlreadyHandled if an earlier delivery holds it."""
        if self.key is not None and not self.claimed and not uow.requests.claim(self.key, at=uow.clock.now()):
            raise AlreadyHandled(self.key)

    def after_commit(self) -> None:
        """Note that this request has changed something."""
        self.committed = self.claimed = True


class AbstractUnitOfWork(ABC):
    """`with uow: ...; uow.commit()`; anything not committed is rolled back on exit.

    Services `record` what happened; at commit the events become audit entries and outbox jobs in the same
    transaction.
    Subclasses provide the repositories and `_commit`/`_rollback`: the database's, or tests' in-memory fakes.
    """

    workspaces: WorkspaceRepository
    organisations: OrganisationRepository
    boards: BoardRepository
    requests: ProcessedRequests
    categories: CategoryRepository
    people: People
    proposals: ProposalRepository
    reviews: ReviewRepository
    reminders: ReminderRepository
    audit: AuditLog
    audit_tables: AuditTables
    outbox: Outbox
    authorities: AuthorityRepository
    chains: ChainRepository
    deputies: DeputyRepository
    escalations: EscalationRepository
    category_rules: CategoryRuleRepository
    delegated: DelegatedRepository
    checklist_rounds: RoundRepository
    checklist_answers: AnswerRepository
    checklist_templates: TemplateRepository
    actions: ActionRepository

    def __init__(self, *, clock: Clock, scope: RequestScope | None = None, wakers: list | None = None,
                 effects: Effects = unwired):
        self.clock, self._scope, self._wakers, self._effects = clock, scope, wakers or [], effects
        self.events: list[Event] = []

    def __enter__(self) -> AbstractUnitOfWork:
        return self

    def __exit__(self, *exc) -> None:
        self._rollback()

    def record(self, event: Event) -> None:
        """Note something that happened; once this commits it is in the audit log (if the log keeps it) and
        reaches Slack through the outbox."""
        self.events.append(event)

    def commit(self) -> None:
        """Make everything done in this unit of work permanent, with the audit entries and outbox jobs its events
        cause."""
        if self._scope is not None:
            self._scope.before_commit(self)
        queued = self.flush()
        self._commit()
        if self._scope is not None:
            self._scope.after_commit()
        for wake in self._wakers if queued else ():
            wake()

    def flush(self) -> bool:
        """Write what the events recorded so far cause, inside the transaction, and forget them: their audit entries
        (in the order recorded: the audit head is locked before any outbox row), then their outbox jobs; whether any
        job was queued. Commit flushes; a bulk import flushes each batch, so its events are never all held at once."""
        self._audit(self.events)
        queued = False
        for event in self.events:
            for effect in self._effects(event):
                queued = True
                if isinstance(effect, Reschedule):
                    self.outbox.reschedule(effect.key, effect.due_at, now=event.at)
                elif isinstance(effect, Cancel):
                    self.outbox.cancel(effect.key, now=event.at)
                else:
                    self.outbox.add(effect, now=event.at)
        self.events = []
        return queued

    def _audit(self, events: list[Event]) -> None:
        """Chain each event's audit entry to the log, in the order recorded, those of one moment together."""
        entries = [(event.at, entry) for event in events if (entry := event.audit()) is not None]
        for at, same in groupby(entries, key=itemgetter(0)):
            self.audit.append_many([(entry.actor, entry.action, entry.payload) for _, entry in same], at=at)

    @abstractmethod
    def _commit(self) -> None:
        """Make the transaction permanent."""

    @abstractmethod
    def _rollback(self) -> None:
        """Undo whatever was not committed, and let go of the transaction."""


class AbstractDatabase(ABC):
    """Hands out units of work (the database's, or tests' in-memory ones): what a service's `db` is."""

    clock: Clock
    audit_key: bytes
    scope: RequestScope | None
    wakers: list[Callable[[], None]]  # called after a commit that queued outbox jobs
    effects: Effects  # what each event causes in Slack (bot.outbound.registry.effects_of)

    @abstractmethod
    def uow(self) -> AbstractUnitOfWork:
        """A unit of work that may write."""

    @abstractmethod
    def read(self) -> AbstractUnitOfWork:
        """A unit of work for reading only."""

    @abstractmethod
    def for_request(self, key: str | None) -> AbstractDatabase:
        """The same database, with writes tied to one Slack request's de-duplication key."""

    @abstractmethod
    def unscoped(self) -> AbstractDatabase:
        """The same database, with writes tied to no request (an error reply must not claim the request's key)."""

    @abstractmethod
    def is_deadlock(self, error: BaseException) -> bool:
        """Whether the database rolled a transaction back with `error` to break a deadlock (so it may run again)."""

    def claim_request(self) -> None:
        """Claim this request's key on its own, for a request that writes nothing else (AlreadyHandled if taken)."""
        with self.uow() as uow:
            uow.commit()


def once_more_on_deadlock(work: Callable[P, R]) -> Callable[P, R]:
    """Run `work(db, ...)` (a whole transaction) again, once, if `db` chose it as a deadlock's victim."""

    @functools.wraps(work)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        db = cast(AbstractDatabase, args[0] if args else kwargs["db"])
        try:
            return work(*args, **kwargs)
        except Exception as error:
            if not db.is_deadlock(error):
                raise
            log.warning("%s was a deadlock's victim and was rolled back; running it once more", work.__name__)
        return work(*args, **kwargs)

    return run
