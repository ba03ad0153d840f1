"""A board's jobs: its announcement in its channel, its weekly digest, and its members' App Home."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.domain.events import BoardCreated, DigestDue, MembershipChanged, Route
from bot.domain.jobs import ClaimedJob, Effect, SendFailure
from bot.outbound.kinds.base import JobKind, Payload, SendContext, Told, chair_of, found, nobody, post_joining
from bot.services import boards, digests
from bot.services.uow import AbstractUnitOfWork
from prompts.blocks.delivery import digest_undelivered
from prompts.blocks.digest import digest_message
from prompts.blocks.home import home_view
from prompts.blocks.replies import board_created, board_unannounced

HOME_SPACING = timedelta(seconds=2)


@dataclass(frozen=True)
class AnnouncePayload(Payload):
    """The new board, and where its founder set it up."""

    board: int
    founder: Route


def announce(ctx: SendContext, job: ClaimedJob, p: AnnouncePayload) -> dict:
    """Post the new board, with its members, in its channel."""
    channel = found(p.founder.channel_id)
    board = boards.list_members(ctx.db, team_id=p.founder.team_id, channel_id=channel)
    return {"ts": post_joining(ctx.client, channel, board_created(board))["ts"]}


def _created(event: BoardCreated) -> list[Effect]:
    return [BOARD_ANNOUNCE.job(event.board_id, event.at, AnnouncePayload(event.board_id, event.founder),
                               event.founder.channel_id)]


def _founder(uow: AbstractUnitOfWork, p: AnnouncePayload, failure: SendFailure) -> Told:
    board = found(uow.boards.get(p.board))
    return p.founder, board_unannounced(board.name, found(p.founder.channel_id), failure.code)


BOARD_ANNOUNCE = JobKind("board.announce", AnnouncePayload, "chat.postMessage", announce, _founder,
                         reacts={BoardCreated: _created})


@dataclass(frozen=True)
class DigestPayload(Payload):
    """The board, and the digest settings the digest was queued under."""

    board: int
    weekday: int
    at: str
    timezone: str


def post_digest(ctx: SendContext, job: ClaimedJob, p: DigestPayload) -> dict:
    """Post the board's digest, unless the board is gone or its digest settings changed since it was queued."""
    digest = digests.build(ctx.db, board_id=p.board, now=ctx.clock.now())
    if digest is None:
        return {"skipped": "the board is gone"}
    s, board = digest.board.settings, digest.board
    if (s.digest_weekday, s.digest_at.strftime("%H:%M"), board.timezone) != (p.weekday, p.at, p.timezone):
        return {"skipped": "the board's digest settings changed"}
    return {"ts": post_joining(ctx.client, board.channel_id, digest_message(digest))["ts"]}


def _due(event: DigestDue) -> list[Effect]:
    return [DIGEST.job(f"{event.board_id}:{event.due_at.isoformat()}", event.due_at,
                       DigestPayload(event.board_id, event.weekday, event.time, event.timezone), event.channel_id)]


def _digest_chair(uow: AbstractUnitOfWork, p: DigestPayload, failure: SendFailure) -> Told | None:
    board = uow.boards.get(p.board)
    chair = chair_of(board)
    if board is None or chair is None:
        return None
    return Route(board.team_id, chair), digest_undelivered(board.name, board.channel_id, error=failure.code,
                                                           needed=failure.needed)


DIGEST = JobKind("board.digest", DigestPayload, "chat.postMessage", post_digest, _digest_chair,
                 reacts={DigestDue: _due})


@dataclass(frozen=True)
class HomePayload(Payload):
    """Whose App Home, in which workspace."""

    team: str
    user: str


def refresh_home(ctx: SendContext, job: ClaimedJob, p: HomePayload) -> None:
    """Publish the person's App Home: their seats on boards."""
    ctx.client.views_publish(user_id=p.user, view=home_view(boards.seats(ctx.db, team_id=p.team, user_id=p.user)))


def _membership(event: MembershipChanged) -> list[Effect]:
    return [HOME.job(f"{event.team_id}:{event.user_id}", event.at, HomePayload(event.team_id, event.user_id),
                     redraw=True, spacing=HOME_SPACING)]


# A failed Home refresh is the one person's: logged and audited only.
HOME = JobKind("home.refresh", HomePayload, "views.publish", refresh_home, nobody,
               reacts={MembershipChanged: _membership})
