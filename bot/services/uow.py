"""The abstract unit of work services use: one transaction, its repositories, and the events it records."""

from __future__ import annotations

from abc import ABC, abstractmethod

from bot.clock import Clock
from bot.domain.effects import Cancel, Reschedule, effects_of
from bot.domain.events import Event


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

    Services `record` what happened; at commit the events become outbox jobs in the same transaction.
    Subclasses provide the repositories and `_commit`/`_rollback`: the database's, or tests' in-memory fakes.
    """

    def __init__(self, *, clock: Clock, scope: RequestScope | None = None, wakers: list | None = None):
        self.clock, self._scope, self._wakers = clock, scope, wakers or []
        self.events: list[Event] = []

    def __enter__(self) -> AbstractUnitOfWork:
        return self

    def __exit__(self, *exc) -> None:
        self._rollback()

    def record(self, event: Event) -> None:
        """Note something that happened; it reaches Slack through the outbox once this commits."""
        self.events.append(event)

    def commit(self) -> None:
        """Make everything done in this unit of work permanent, with the outbox jobs its events cause."""
        if self._scope is not None:
            self._scope.before_commit(self)
        for event in self.events:
            for effect in effects_of(event):
                if isinstance(effect, Reschedule):
                    self.outbox.reschedule(effect.key, effect.due_at, now=event.at)
                elif isinstance(effect, Cancel):
                    self.outbox.cancel(effect.key, now=event.at)
                else:
                    self.outbox.add(effect, now=event.at)
        queued, self.events = bool(self.events), []
        self._commit()
        if self._scope is not None:
            self._scope.after_commit()
        for wake in self._wakers if queued else ():
            wake()

    @abstractmethod
    def _commit(self) -> None:
        """Make the transaction permanent."""

    @abstractmethod
    def _rollback(self) -> None:
        """Undo whatever was not committed, and let go of the transaction."""
