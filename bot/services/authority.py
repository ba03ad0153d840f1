"""The scheme of delegation in Slack: seeing your own limits, and the chair or secretary setting a member's."""

from __future__ import annotations

from datetime import date, datetime

from bot.domain.boards import Board, ensure_can_manage
from bot.domain.delegation import ensure_may_grant
from bot.domain.errors import Command, InvalidValue, Name, NotAllowed, NotFound, Person
from bot.domain.events_delegation import AuthoritySet
from bot.domain.proposals import Category
from bot.domain.scheme import Authority, Limit, Scheme, check_period, parse_grant
from bot.services.boards import linked_board
from bot.services.escalations import tell_of_pending
from bot.services.reviews import calendar_of
from bot.services.uow import AbstractDatabase


def category_named(categories: list[Category], raw: str) -> Category:
    """A category by its key or label, ignoring case, spaces and underscores."""
    key = " ".join(raw.lower().replace("_", " ").split())
    found = next((c for c in categories if key in (c.key.replace("_", " "), c.label.lower())), None)
    if found is None:
        names = ", ".join(c.key.replace("_", " ") for c in categories)
        raise InvalidValue("“{raw}” is not a category here. Choose one of: {names}.", field="category", raw=raw,
                           names=names)
    return found


def limits_of(db: AbstractDatabase, *, team_id: str, channel_id: str, actor: str, user_id: str,
              now: datetime) -> Scheme:
    """A member's limits: anyone may see their own; the chair or secretary may see any member's."""
    with db.read() as uow:
        workspace_id, board = linked_board(uow, team_id, channel_id)
        if user_id != actor:
            ensure_can_manage(board, actor, to_see="another member's delegated authority")
        categories = {c.key: c for c in uow.categories.for_workspace(workspace_id)}
        today = calendar_of(board).local_date(now)
        limits = [Limit(org, categories[a.category], a) for org, a in uow.authorities.of_user(workspace_id, user_id)
                  if a.category in categories and (a.valid_until is None or a.valid_until >= today)]
        scope = uow.authorities.sign_off_scope(workspace_id)
        checked = tuple(c.label for c in categories.values() if scope.checks(c.key, money=c.is_money))
        return Scheme(user_id, limits, today, checked)


def form(db: AbstractDatabase, *, team_id: str, channel_id: str, actor: str, now: datetime) -> tuple[list[Category],
         date]:
    """The categories and the board's today, for the chair or secretary's authority form."""
    with db.read() as uow:
        workspace_id, board = linked_board(uow, team_id, channel_id)
        ensure_can_manage(board, actor)
        return uow.categories.for_workspace(workspace_id), calendar_of(board).local_date(now)


def set_limit(db: AbstractDatabase, *, team_id: str, channel_id: str, actor: str, user_id: str, category: str,
              limit: str, valid_from: date | None, valid_until: date | None, now: datetime) -> Limit:
    """Set a member's limit in one category from a date (today by default); every version is kept."""
    with db.uow() as uow:
        workspace_id, board = linked_board(uow, team_id, channel_id, lock=True)
        ensure_can_manage(board, actor)
        member = _member(board, user_id)
        chosen = category_named(uow.categories.for_workspace(workspace_id), category)
        money = chosen.is_money
        grant = parse_grant(limit, money=money)
        starts = valid_from or calendar_of(board).local_date(now)
        check_period(starts, valid_until)
        current = uow.authorities.current(member.organisation_id, user_id, chosen.key, on=starts)
        ensure_may_grant(actor_id=actor, target_id=user_id, current=current, new=grant, money=money)
        saved = uow.authorities.put(Authority(
            user_id=user_id, organisation_id=member.organisation_id, category=chosen.key, valid_from=starts,
            valid_until=valid_until, amount_pence=grant.amount_pence, unlimited=grant.unlimited,
            allowed=grant.allowed), by=actor, at=now)
        uow.record(AuthoritySet(now, actor, user_id, member.organisation, member.organisation_id, chosen.key,
                                saved.describe(money=money), starts, valid_until, saved.version, "slack",
                                board_id=board.id))
        tell_of_pending(uow, board, actor, uow.escalations.open_of_organisation(member.organisation_id),
                        what={"changed": "authority", "user": user_id, "category": chosen.label}, now=now)
        uow.commit()
        return Limit(member.organisation, chosen, saved)


def _member(board: Board, user_id: str):
    member = board.member(user_id)
    if member is None:
        raise NotFound("{who} is not a member of {board}; add them with {command}.", who=Person(user_id),
                       board=Name(board.name), command=Command("/collab members add"))
    if not member.organisation_id:
        raise NotAllowed("{who} has no organisation on this board.", who=Person(user_id))
    return member
