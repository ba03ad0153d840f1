"""The unit of work: one transaction, its repositories, and the audit log."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from storage.audit import AuditLog
from storage.proposals import ProposalRepository
from storage.repositories import (
    BoardRepository,
    CategoryRepository,
    OrganisationRepository,
    ProcessedRequests,
    WorkspaceRepository,
)


class UnitOfWork:
    """`with uow: ...; uow.commit()`; anything not committed is rolled back on exit."""

    def __init__(self, session_factory: sessionmaker[Session]):
        self._factory = session_factory

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        self.workspaces = WorkspaceRepository(self.session)
        self.organisations = OrganisationRepository(self.session)
        self.boards = BoardRepository(self.session)
        self.requests = ProcessedRequests(self.session)
        self.audit = AuditLog(self.session)
        self.proposals = ProposalRepository(self.session)
        self.categories = CategoryRepository(self.session)
        return self

    def __exit__(self, *exc) -> None:
        self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        """Make everything done in this unit of work permanent."""
        self.session.commit()


class Database:
    """Hands out units of work: writers take the write lock at BEGIN, readers do not."""

    def __init__(self, writer: sessionmaker[Session], reader: sessionmaker[Session]):
        self._writer, self._reader = writer, reader

    def uow(self) -> UnitOfWork:
        """A unit of work that may write."""
        return UnitOfWork(self._writer)

    def read(self) -> UnitOfWork:
        """A unit of work for reading only."""
        return UnitOfWork(self._reader)
