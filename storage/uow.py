"""The unit of work: one transaction, its repositories, the audit log, and the outbox its events fill."""

from __future__ import annotations

import copy
import threading

from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock, SystemClock
from bot.services.uow import AbstractDatabase, AbstractUnitOfWork, Effects, RequestScope, unwired
from storage.audit import AuditLog
from storage.audit_tables import AuditTables
from storage.checklists import ActionRepository, AnswerRepository, RoundRepository, TemplateRepository
from storage.db import LOCK_TIMEOUT_MS, WriterQueueTimeout
from storage.delegation import AuthorityRepository, ChainRepository, DeputyRepository
from storage.escalations import CategoryRuleRepository, DelegatedRepository, EscalationRepository
from storage.outbox import Outbox
from storage.proposals import ProposalRepository
from storage.repositories import (
    BoardRepository,
    CategoryRepository,
    OrganisationRepository,
    People,
    ProcessedRequests,
    WorkspaceRepository,
)
from storage.retry import is_deadlock
from storage.schedules import ReminderRepository, ReviewRepository

# How long a request's writer may queue behind this process's others (SQLite) before it answers "busy".
WRITER_QUEUE_SECONDS = LOCK_TIMEOUT_MS / 1000


class UnitOfWork(AbstractUnitOfWork):
    """One database transaction with its repositories."""

    def __init__(self, session_factory: sessionmaker[Session], scope: RequestScope | None = None, *,
                 audit_key: bytes, clock: Clock, queue: threading.RLock | None = None, wakers: list | None = None,
                 queue_wait: float | None = None, effects: Effects = unwired):
        super().__init__(clock=clock, scope=scope, wakers=wakers, effects=effects)
        self._factory, self._queue, self._audit_key = session_factory, queue, audit_key
        self._queue_wait = -1 if queue_wait is None else queue_wait

    def __enter__(self) -> UnitOfWork:
        if self._queue is not None and not self._queue.acquire(timeout=self._queue_wait):
            raise WriterQueueTimeout()
        self.session = self._factory()
        self.workspaces = WorkspaceRepository(self.session)
        self.organisations = OrganisationRepository(self.session)
        self.boards = BoardRepository(self.session)
        self.requests = ProcessedRequests(self.session)
        self.audit = AuditLog(self.session, key=self._audit_key)
        self.audit_tables = AuditTables(self.session)
        self.proposals = ProposalRepository(self.session)
        self.categories = CategoryRepository(self.session)
        self.people = People(self.session)
        self.outbox = Outbox(self.session)
        self.reviews = ReviewRepository(self.session)
        self.reminders = ReminderRepository(self.session)
        self.authorities = AuthorityRepository(self.session)
        self.chains = ChainRepository(self.session)
        self.deputies = DeputyRepository(self.session)
        self.escalations = EscalationRepository(self.session)
        self.category_rules = CategoryRuleRepository(self.session)
        self.delegated = DelegatedRepository(self.session)
        self.checklist_rounds = RoundRepository(self.session)
        self.checklist_answers = AnswerRepository(self.session)
        self.checklist_templates = TemplateRepository(self.session)
        self.actions = ActionRepository(self.session)
        return self

    def _rollback(self) -> None:
        try:
            self.session.rollback()
            self.session.close()
        finally:
            if self._queue is not None:
                self._queue.release()

    def _commit(self) -> None:
        self.session.commit()


class Database(AbstractDatabase):
    """Hands out units of work: writers take the write lock at BEGIN, readers do not."""

    def __init__(self, writer: sessionmaker[Session], reader: sessionmaker[Session], *, audit_key: bytes,
                 clock: Clock | None = None, writer_wait: float | None = None, effects: Effects = unwired):
        """`writer_wait`: at most how long a writer queues behind this process's others (None: as long as it takes).
        `effects`: what each event causes in Slack (bot.outbound.registry.effects_of, wired by the composition root)."""
        self._writer, self._reader, self._writer_wait, self.effects = writer, reader, writer_wait, effects
        self.audit_key = audit_key
        self.clock = clock or SystemClock()
        self.scope: RequestScope | None = None
        self.wakers: list = []  # called after a commit that queued outbox jobs (this process's dispatcher)
        # SQLite lets one writer in at a time and makes the others sleep and retry, which starves some
        # of them for seconds; queueing a process's writers here keeps that wait short and fair.
        bind = writer.kw.get("bind")
        self._writers = threading.RLock() if bind is not None and bind.dialect.name == "sqlite" else None

    def for_request(self, key: str | None) -> Database:
        """The same database, with writes tied to one Slack request's de-duplication key."""
        scoped = copy.copy(self)
        scoped.scope = RequestScope(key)
        return scoped

    def unscoped(self) -> Database:
        """The same database, with writes tied to no request (an error reply must not claim the request's key)."""
        plain = copy.copy(self)
        plain.scope = None
        return plain

    def is_deadlock(self, error: BaseException) -> bool:
        """Whether PostgreSQL rolled the transaction back with `error` to break a deadlock or a serialization
        conflict."""
        return is_deadlock(error)

    def uow(self) -> UnitOfWork:
        """A unit of work that may write."""
        return UnitOfWork(self._writer, self.scope, audit_key=self.audit_key, clock=self.clock,
                          queue=self._writers, wakers=self.wakers, queue_wait=self._writer_wait, effects=self.effects)

    def read(self) -> UnitOfWork:
        """A unit of work for reading only."""
        return UnitOfWork(self._reader, audit_key=self.audit_key, clock=self.clock, effects=self.effects)
