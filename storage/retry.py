"""Trying a transaction once more when PostgreSQL chose it as a deadlock's (or serialization failure's) victim.

The lock order (storage/outbox.py) keeps the bot's own transactions from deadlocking; this covers what it cannot
(an operator's SQL, a lock taken in an order nobody foresaw). PostgreSQL rolls the victim back whole, so running
it again is safe; a second failure is raised as any database error is.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from psycopg import errors
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")


def is_deadlock(error: BaseException) -> bool:
    """Whether the database rolled this transaction back to break a deadlock or a serialization conflict."""
    cause = error.orig if isinstance(error, DBAPIError) else error
    return isinstance(cause, errors.DeadlockDetected | errors.SerializationFailure)


def once_more_on_deadlock(work: Callable[P, R]) -> Callable[P, R]:
    """Run `work` (a whole transaction) again, once, if the database chose it as a deadlock's victim."""

    @functools.wraps(work)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return work(*args, **kwargs)
        except DBAPIError as error:
            if not is_deadlock(error):
                raise
            log.warning("%s was a deadlock's victim and was rolled back; running it once more", work.__name__)
        return work(*args, **kwargs)

    return run
