"""Actions from a checklist report's gaps: created by the chair or secretary, reminded on working days, done by
their owner (or the chair)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from bot.domain import rounds as rd
from bot.domain.action_views import ActionForm, ActionList, ActionView
from bot.domain.boards import Board, ensure_can_manage
from bot.domain.errors import DomainError, Name, NotAllowed, NotFound, Person
from bot.domain.events import ActionScheduled, Notice, Replaced, Route
from bot.domain.events_checklists import ActionCreated, ActionDone
from bot.domain.reviews import DEFAULT_AT
from bot.domain.schedule import WorkingCalendar
from bot.services.boards import NO_BOARD, linked_board
from bot.services.reviews import calendar_of
from bot.services.uow import AbstractDatabase, AbstractUnitOfWork

ROUND_GONE = "That round no longer exists."
GONE = "That action no longer exists."
DEFAULT_DUE = timedelta(weeks=4)
DAY = timedelta(days=1)


def reminder_times(due_on: date, calendar: WorkingCalendar, *, now: datetime) -> tuple[datetime | None, datetime]:
    """09:00 on the working day before `due_on` (None once passed), and 09:00 on the first working day after it."""
    before = due_on - DAY
    while not calendar.is_working_day(before):
        before -= DAY
    remind_at = calendar.moment(before, DEFAULT_AT)
    overdue_at = calendar.moment(calendar.next_working_day(due_on + DAY), DEFAULT_AT)
    return (remind_at if remind_at > now else None), overdue_at


def _may_manage(board: Board, actor: str) -> None:
    try:
        ensure_can_manage(board, actor)
    except NotAllowed:
        raise NotAllowed("Only the chair or secretary of {board} can turn a gap into an action.",
                         board=Name(board.name)) from None


def _round_board(uow: AbstractUnitOfWork, team_id: str, round_id: int) -> tuple[rd.Round, Board]:
    r = uow.checklist_rounds.get(round_id)
    board = uow.boards.get(r.board_id) if r else None
    if r is None or board is None or board.team_id != team_id:
        raise NotFound(ROUND_GONE)
    return r, board


def _question_text(uow: AbstractUnitOfWork, board: Board, r: rd.Round, question_id: str) -> str | None:
    from bot.services.checklist_templates import template_for  # the checklist templates, only when asked

    try:
        template = template_for(uow, r.board_id, r.template_id, r.version)
    except DomainError:
        return None  # the checklist is no longer available: the form starts with an empty title
    return next((q.text for q in template.questions() if q.id == question_id), None)


def action_form(db: AbstractDatabase, *, team_id: str, round_id: int, question_id: str, actor: str,
                now: datetime) -> ActionForm:
    """The "Create action" form for a report's gap, if `actor` chairs or is secretary to the round's board."""
    with db.read() as uow:
        r, board = _round_board(uow, team_id, round_id)
        _may_manage(board, actor)
        calendar = calendar_of(board)
        due_on = calendar.next_working_day(calendar.local_date(now) + DEFAULT_DUE)
        return ActionForm(board, round_id, question_id, _question_text(uow, board, r, question_id), due_on)


def create_action(db: AbstractDatabase, *, team_id: str, actor: str, title: str, owner: str, due_on: date,
                  now: datetime, round_id: int | None = None, question_id: str | None = None,
                  channel_id: str | None = None) -> tuple[rd.Action, Board]:
    """Save an action for the round's board (or the channel's board); its owner hears, and is reminded later."""
    with db.uow() as uow:
        if round_id is not None:
            _, board = _round_board(uow, team_id, round_id)
        elif channel_id is not None:
            _, board = linked_board(uow, team_id, channel_id, lock=True)
        else:
            raise NO_BOARD
        _may_manage(board, actor)
        calendar = calendar_of(board)
        action = rd.new_action(board=board, actor=actor, title=title, owner=owner, due_on=due_on,
                               today=calendar.local_date(now), round_id=round_id,
                               question_id=question_id if round_id is not None else None)
        action_id = uow.actions.add(action, at=now)
        action = replace(action, id=action_id)
        assert board.id is not None  # a board from the repository
        uow.record(ActionCreated(now, actor, board.id, action_id, action.round_id, action.question_id, action.title,
                                 owner, due_on))
        remind_at, overdue_at = reminder_times(due_on, calendar, now=now)
        uow.record(ActionScheduled(now, action_id, remind_at, overdue_at))
        if owner != actor:  # whoever gave themselves the action has just seen it in the form's answer
            uow.record(Notice(now, Route(board.team_id, owner), "action.assigned", {"action": action_id},
                              key=f"action.assigned:{action_id}"))
        uow.commit()
        return action, board


def list_actions(db: AbstractDatabase, *, team_id: str, channel_id: str, now: datetime) -> ActionList:
    """The open actions of the channel's board, soonest due first."""
    with db.read() as uow:
        _, board = linked_board(uow, team_id, channel_id)
        assert board.id is not None  # a board from the repository
        return ActionList(board, uow.actions.open_of(board.id), calendar_of(board).local_date(now))


def board_actions(db: AbstractDatabase, *, board_name: str, now: datetime) -> ActionList:
    """The open actions of the one board with this name, soonest due first, for export."""
    with db.read() as uow:
        boards = uow.boards.named(board_name)
        if len(boards) != 1:
            raise NotFound(f"No single board is called {board_name!r} ({len(boards)} found).")
        board = boards[0]
        assert board.id is not None  # a board from the repository
        return ActionList(board, uow.actions.open_of(board.id), calendar_of(board).local_date(now))


def finish_action(db: AbstractDatabase, *, team_id: str, action_id: int, actor: str, now: datetime,
                  reply_to: Route | None = None, listed: bool = False) -> rd.Action:
    """The owner, or the chair or secretary, marks an action done; the message clicked then shows it done."""
    with db.uow() as uow:
        action = uow.actions.get(action_id, lock=True)
        board = uow.boards.get(action.board_id) if action else None
        if action is None or board is None or board.team_id != team_id:
            raise NotFound(GONE)
        try:
            rd.ensure_may_finish(action, board, actor)
        except NotAllowed:
            raise NotAllowed("Only {owner}, who owns this action, or the chair or secretary of {board} can mark it "
                             "done.", owner=Person(action.owner), board=Name(board.name)) from None
        uow.actions.finish(action_id, by=actor, at=now)
        uow.record(ActionDone(now, actor, action.board_id, action_id, action.title, action.owner))
        if reply_to is not None and reply_to.response_url:
            uow.record(Replaced(now, reply_to, "action.done", {"action": action.id, "list": listed},
                                key=f"action.done:{action.id}"))
        uow.commit()
        return replace(action, done_at=now, done_by=actor)


def action_view(db: AbstractDatabase, action_id: int, *, now: datetime) -> ActionView | None:
    """An action with its board and the board's open actions, to draw a message about it; None if it is gone."""
    with db.read() as uow:
        action = uow.actions.get(action_id)
        board = uow.boards.get(action.board_id, only=[]) if action else None
        if action is None or board is None:
            return None
        return ActionView(board, action, uow.actions.open_of(action.board_id), calendar_of(board).local_date(now))


def still_open(db: AbstractDatabase, action_id: int, *, now: datetime) -> ActionView | None:
    """The action a reminder is about, or None when it was done (or removed) before the reminder went."""
    found = action_view(db, action_id, now=now)
    return found if found is not None and found.action.done_at is None else None
