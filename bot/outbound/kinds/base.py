"""What declaring a kind of outbox job takes: its payload, the events it reacts to, its sender, its hooks, and
who is told when it fails for good. Each kind is one JobKind in a module of bot/outbound/kinds/."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum, StrEnum
from typing import Any, Generic, Self, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.clock import Clock
from bot.domain.boards import Board
from bot.domain.events import Route
from bot.domain.jobs import ClaimedJob, Effect, Job, Outcome, SendFailure
from bot.services.uow import AbstractDatabase, AbstractUnitOfWork
from prompts.slack_errors import SlackError


@dataclass(frozen=True)
class Payload:
    """What a job is about, as a frozen dataclass: its fields are the keys of the JSON kept in the outbox row.

    A datetime is kept as its ISO text and a Route as a dict; anything else as it is.
    """

    def encode(self) -> dict:
        """The dict the outbox row keeps."""
        return {f.name: _encode(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def decode(cls, data: dict) -> Self:
        """The payload an outbox row keeps (a key that an older row lacks takes the field's default)."""
        hints = _hints(cls)
        return cls(**{f.name: _decode(hints[f.name], data[f.name]) for f in dataclasses.fields(cls) if f.name in data})


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    """A payload class's field types, read once (every job run and every recorded outcome decodes a payload)."""
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Route):
        return dataclasses.asdict(value)
    return value


def _decode(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(hint, types.UnionType):  # X | None
        hint = next(arg for arg in typing.get_args(hint) if arg is not type(None))
    if hint is datetime:
        return datetime.fromisoformat(value)
    if hint is Route:
        return Route(**value)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(value)
    return value


@dataclass(frozen=True)
class SendContext:
    """What a sender works with: the dispatch client (it never retries on its own), the database and the clock."""

    client: WebClient
    db: AbstractDatabase
    clock: Clock


class Lock(StrEnum):
    """Rows a hook writes that come before the outbox in the lock order (storage/outbox.py), in that order."""

    PROPOSAL = "proposal"
    REVIEW = "review"


P = TypeVar("P", bound=Payload)
Told = tuple[Route, dict]
Sends = Callable[[SendContext, ClaimedJob, P], dict | None]
Reacts = Mapping[type, Callable[[Any], list[Effect]]]
Audience = Callable[[AbstractUnitOfWork, P, SendFailure], Told | None]


def nobody(uow: AbstractUnitOfWork, payload: Payload, failure: SendFailure) -> None:
    """The audience of a job that fails for good with nobody to tell: it is logged and audited only."""
    return None


@dataclass(frozen=True, eq=False)
class JobKind(Generic[P]):
    """One kind of outbox job, declared once.

    `reacts` maps each event type the kind reacts to onto the effects (jobs, reschedules, cancels) it causes.
    `method` is the Web API method it mainly calls (a 429 pauses that method for every kind that calls it).
    `audience` says who is told, and what, when a job of this kind fails for good (`nobody`: the log only).
    `locks` names the rows `on_sent`/`on_failed` will write that come before the outbox in the lock order.
    """

    name: str
    payload: type[P]
    method: str
    send: Sends[P]
    audience: Audience[P]
    reacts: Reacts = field(default_factory=dict)
    on_sent: Callable[[AbstractUnitOfWork, P, dict | None], None] | None = None
    on_failed: Callable[[AbstractUnitOfWork, P], None] | None = None
    locks: Callable[[P, Outcome], Iterable[tuple[Lock, int]]] | None = None

    def job(self, key: object, due_at: datetime, payload: P, channel: str | None = None, **pacing: Any) -> Job:
        """A job of this kind, under the key `self.key(key)`; `channel` is where it posts (for pacing)."""
        return Job(self.name, self.key(key), due_at, payload.encode(), channel, **pacing)

    def key(self, *parts: object) -> str:
        """The idempotency key of this kind's job about `parts`: the kind's name, then each part."""
        return ":".join([self.name, *map(str, parts)])

    def run(self, ctx: SendContext, claimed: ClaimedJob) -> dict | None:
        """Send a claimed job of this kind."""
        return self.send(ctx, claimed, self.payload.decode(claimed.job.payload))


def post_joining(client: WebClient, channel: str, content: dict, **extra: Any) -> SlackResponse:
    """chat.postMessage, joining the channel first if the bot is not in it yet (a public channel)."""
    try:
        return client.chat_postMessage(channel=channel, **content, **extra)
    except SlackApiError as exc:
        if exc.response.get("error") != SlackError.NOT_IN_CHANNEL:
            raise
        client.conversations_join(channel=channel)
        return client.chat_postMessage(channel=channel, **content, **extra)


T = TypeVar("T")


def found(value: T | None) -> T:
    """`value`, which the job's subject must still have: a LookupError (the job or hook fails) when it is gone."""
    if value is None:
        raise LookupError("what the job is about is gone")
    return value


def chair_of(board: Board | None) -> str | None:
    """The first of a board's managers, who hears what went wrong for the board."""
    return next((m.user_id for m in board.managers()), None) if board else None
