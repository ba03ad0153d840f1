"""Whether PostgreSQL chose a transaction as a deadlock's (or serialization failure's) victim.

The lock order (storage/outbox.py) keeps the bot's own transactions from deadlocking; this covers what it cannot
(an operator's SQL, a lock taken in an order nobody foresaw). PostgreSQL rolls the victim back whole, so running
it again is safe: services marked `once_more_on_deadlock` (bot/services/uow.py) are, once, when
`Database.is_deadlock` says so; a second failure is raised as any database error is.
"""

from __future__ import annotations

from psycopg import errors
from sqlalchemy.exc import DBAPIError


def is_deadlock(error: BaseException) -> bool:
    """Whether the database rolled this transaction back to break a deadlock or a serialization conflict."""
    cause = error.orig if isinstance(error, DBAPIError) else error
    return isinstance(cause, errors.DeadlockDetected | errors.SerializationFailure)
