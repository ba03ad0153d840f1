"""A board's rounds of a checklist: opening (by the chair, or a re-assessment falling due), reminding those not
finished, closing, and the report that follows."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

from bot.domain import assessment as sa
from bot.domain import rounds as rd
from bot.domain.boards import Board
from bot.domain.checklists import Template
from bot.domain.errors import Command, InvalidValue, Name, NotFound
from bot.domain.events import Notice, ReportRequested, RoundOpened, Route
from bot.domain.events_checklists import ChecklistClosed
from bot.domain.rounds import RoundReport
from bot.domain.schedule import WorkingCalendar
from bot.services.boards import linked_board
from bot.services.checklist_templates import DEFAULT_TEMPLATE, template_for, templates_of
from bot.services.checklists import GONE
from bot.services.uow import AbstractDatabase, AbstractUnitOfWork

ROUND_CLOSES_AT = time(17, 0)  # a round given a closing day closes at the end of that working day, board time


def _open(uow: AbstractUnitOfWork, board: Board, template: Template, *, by: str, closes_at: datetime | None,
          now: datetime) -> rd.Round:
    assert board.id is not None  # a board from the repository
    r = rd.Round(None, board.id, template.id, template.version, False, by, now, closes_at)
    r.id = uow.checklist_rounds.add(r)
    lead = timedelta(hours=board.settings.reminder_hours or 24)
    remind_at = closes_at - lead if closes_at and closes_at - lead > now else None
    uow.record(RoundOpened(now, r.id, closes_at, remind_at, by, board.id, template.id, template.version))
    for member in board.members:
        uow.record(Notice(now, Route(board.team_id, member.user_id), "checklist.invite", {"round": r.id},
                          key=f"invite:{r.id}:{member.user_id}"))
    return r


def open_round(db: AbstractDatabase, *, team_id: str, channel_id: str, actor: str, template_id: str | None,
               closes_at: datetime | None, now: datetime,
               closes_on: date | None = None) -> tuple[rd.Round, Template, int]:
    """The chair or secretary opens a round for the board; every member is invited by DM.

    A round given a day (`closes_on`) closes at 17:00 on it in the board's own time zone."""
    with db.uow() as uow:
        _, board = linked_board(uow, team_id, channel_id, lock=True)
        assert board.id is not None  # a board from the repository
        rd.ensure_can_run_rounds(board, actor)
        if closes_on is not None:
            closes_at = WorkingCalendar(board.timezone, skip_non_working=False).moment(closes_on, ROUND_CLOSES_AT)
        closes_at = rd.check_closes(closes_at, now)
        template = templates_of(uow, board.id).get(template_id or DEFAULT_TEMPLATE)
        if template is None:
            raise InvalidValue("There is no checklist called “{name}”.", name=template_id or DEFAULT_TEMPLATE)
        if uow.checklist_rounds.open_round(board.id, template.id) is not None:
            raise InvalidValue("A round of {checklist} is already open. Close it with {command} first.",
                               checklist=Name(template.title),
                               command=Command(f"/collab checklist close {template.id}"))
        r = _open(uow, board, template, by=actor, closes_at=closes_at, now=now)
        uow.commit()
        return r, template, len(board.members)


def open_scheduled(db: AbstractDatabase, *, board_id: int, template_id: str, now: datetime) -> rd.Round | None:
    """A re-assessment fell due: open a round of its checklist unless one is open already."""
    with db.uow() as uow:
        board = uow.boards.get(board_id, lock=True)
        template = templates_of(uow, board_id).get(template_id) if board else None
        if board is None or template is None or uow.checklist_rounds.open_round(board_id, template_id) is not None:
            return None
        r = _open(uow, board, template, by="collab-bot", closes_at=None, now=now)
        uow.commit()
        return r


def close_round(db: AbstractDatabase, *, round_id: int, by: str | None, now: datetime,
                team_id: str | None = None) -> bool:
    """Close a round (the chair, or its closing job) and post its report; False if it had closed already."""
    with db.uow() as uow:
        r = uow.checklist_rounds.get(round_id, lock=True)
        board = uow.boards.get(r.board_id, only=[]) if r else None
        if r is None or board is None or (team_id and board.team_id != team_id) or not r.is_open:
            return False
        if by is not None:
            full = uow.boards.get(r.board_id)
            assert full is not None  # read above, in this transaction
            rd.ensure_can_run_rounds(full, by)
        r.close(by=by, now=now)
        uow.checklist_rounds.save(r)
        closed = ChecklistClosed(now, by, r.board_id, round_id, r.template_id)
        if not template_for(uow, r.board_id, r.template_id, r.version).attributed:
            # The pooled counts, recorded once the round is closed: a total, never one member's answers.
            closed = replace(closed, answered=len(uow.checklist_answers.finished(round_id)),
                             counts=uow.checklist_answers.tally(round_id))
        uow.record(closed)
        uow.record(ReportRequested(now, round_id, board.channel_id))
        uow.commit()
        return True


def close_open_round(db: AbstractDatabase, *, team_id: str, channel_id: str, actor: str, template_id: str | None,
                     now: datetime) -> rd.Round:
    """`/collab checklist close [template]`: the chair closes the board's open round."""
    with db.read() as uow:
        _, board = linked_board(uow, team_id, channel_id)
        assert board.id is not None  # a board from the repository
        rd.ensure_can_run_rounds(board, actor)
        r = uow.checklist_rounds.open_round(board.id, template_id or DEFAULT_TEMPLATE)
    if r is None:
        raise NotFound("No round of that checklist is open on this board.")
    assert r.id is not None  # a round from the repository
    close_round(db, round_id=r.id, by=actor, now=now, team_id=team_id)
    return r


def request_report(db: AbstractDatabase, *, team_id: str, channel_id: str, actor: str, template_id: str | None,
                   now: datetime) -> rd.Round:
    """`/collab report [template]`: post the latest round's report in the channel."""
    with db.uow() as uow:
        _, board = linked_board(uow, team_id, channel_id)
        assert board.id is not None  # a board from the repository
        rd.ensure_member(board, actor)
        r = uow.checklist_rounds.latest(board.id, template_id)
        if r is None:
            raise NotFound("This board has no checklist round yet. The chair can open one with {command}.",
                           command=Command("/collab checklist open"))
        template = template_for(uow, board.id, r.template_id, r.version)
        rd.ensure_reportable(template, r)
        assert r.id is not None  # a round from the repository
        rd.ensure_enough_answered(template, len(uow.checklist_answers.finished(r.id)))
        uow.record(ReportRequested(now, r.id, board.channel_id))
        uow.commit()
        return r


def _scored(uow: AbstractUnitOfWork, r: rd.Round, template: Template) -> tuple[dict, int]:
    """A round's answers as scoring takes them (member key -> answers, never a name), and how many answered."""
    assert r.id is not None  # a saved round
    if template.attributed:
        found = uow.checklist_answers.all(r.id).values()
        keyed = {f"respondent {n}": answers for n, answers in enumerate(found, start=1)}
        return keyed, uow.checklist_answers.respondents(r.id)
    return sa.answers_from_counts(uow.checklist_answers.tally(r.id)), len(uow.checklist_answers.finished(r.id))


def report_of(db: AbstractDatabase, round_id: int) -> RoundReport:
    """Score a round against its template and the board's previous round (never naming who answered what).

    An unattributed round is scored from its counts, and only once enough members have answered (TooFewAnswers).
    """
    with db.read() as uow:
        r = uow.checklist_rounds.get(round_id)
        if r is None:
            raise NotFound(GONE)
        board = uow.boards.get(r.board_id)
        if board is None:
            raise NotFound(GONE)
        template = template_for(uow, r.board_id, r.template_id, r.version)
        anonymous, answered = _scored(uow, r, template)
        rd.ensure_enough_answered(template, answered)
        before = uow.checklist_rounds.before(r)
        previous = None
        if before is not None:
            earlier = template_for(uow, r.board_id, before.template_id, before.version)
            old, old_answered = _scored(uow, before, earlier)
            if earlier.attributed or old_answered >= earlier.min_respondents:
                previous = sa.score_round(earlier, old)
        numbers = [x.id for x in uow.checklist_rounds.numbered(r.board_id, r.template_id)]
        report = sa.score_round(template, anonymous, previous)
        if not template.attributed:
            report = replace(report, members=answered)
        return RoundReport(r, numbers.index(r.id) + 1 if r.id in numbers else 0, template, report, board,
                           answered, sa.distribution(template, anonymous))


def round_of(db: AbstractDatabase, round_id: int) -> tuple[rd.Round, Template, int, str]:
    """A round, its template, its number on the board and the board's channel: for a report held back."""
    with db.read() as uow:
        r = uow.checklist_rounds.get(round_id)
        board = uow.boards.get(r.board_id, only=[]) if r else None
        if r is None or board is None:
            raise NotFound(GONE)
        numbers = [x.id for x in uow.checklist_rounds.numbered(r.board_id, r.template_id)]
        return (r, template_for(uow, r.board_id, r.template_id, r.version),
                numbers.index(r.id) + 1 if r.id in numbers else 0, board.channel_id)


def remind_unfinished(db: AbstractDatabase, *, round_id: int, now: datetime) -> int:
    """Before a round closes, DM each member who hasn't finished it; how many."""
    with db.uow() as uow:
        r = uow.checklist_rounds.get(round_id)
        board = uow.boards.get(r.board_id) if r else None
        if r is None or board is None or not r.is_open:
            return 0
        done = uow.checklist_answers.finished(round_id)
        waiting = [m.user_id for m in board.members if m.user_id not in done]
        for user_id in waiting:
            uow.record(Notice(now, Route(board.team_id, user_id), "checklist.reminder", {"round": r.id},
                              key=f"round-remind:{r.id}:{user_id}"))
        uow.commit()
        return len(waiting)


def report_by_number(db: AbstractDatabase, *, board_name: str, template_id: str, number: int | None) -> RoundReport:
    """A board's round of a checklist by its number (the latest when None), scored, for export."""
    with db.read() as uow:
        boards = uow.boards.named(board_name)
        if len(boards) != 1:
            raise NotFound(f"No single board is called {board_name!r} ({len(boards)} found).")
        board_id = boards[0].id
        assert board_id is not None  # a board from the repository
        numbered = uow.checklist_rounds.numbered(board_id, template_id)
    if not numbered or (number is not None and not 1 <= number <= len(numbered)):
        raise NotFound(f"{board_name} has no round {number or ''} of {template_id} ({len(numbered)} so far).")
    chosen = numbered[(number or len(numbered)) - 1].id
    assert chosen is not None  # a round from the repository
    return report_of(db, chosen)
