"""Which checklists a board can run: the shipped templates, and any the board loaded from its own file."""

from __future__ import annotations

from datetime import datetime

from bot.domain.checklists import Template
from bot.domain.errors import Conflict, NotFound
from bot.domain.events_checklists import ChecklistLoaded
from bot.services.uow import AbstractDatabase, AbstractUnitOfWork

DEFAULT_TEMPLATE = "board-diagnostic"


def templates_of(uow: AbstractUnitOfWork, board_id: int) -> dict[str, Template]:
    """The templates a board can run, by id: the shipped ones, replaced by the board's own of the same id."""
    return uow.checklist_templates.shipped() | uow.checklist_templates.own(board_id)


def checklist_titles(db: AbstractDatabase, *, team_id: str, channel_id: str) -> dict[str, str]:
    """The checklists this channel's board can run, id -> title (none when the channel has no board)."""
    with db.read() as uow:
        workspace_id = uow.workspaces.find(team_id)
        board = uow.boards.for_channel(workspace_id, channel_id) if workspace_id else None
        return {t.id: t.title for t in templates_of(uow, board.id).values()} if board and board.id is not None else {}


def template_for(uow: AbstractUnitOfWork, board_id: int, template_id: str, version: int) -> Template:
    """The template a round was answered on: the board's own version of it, or the shipped one."""
    own = uow.checklist_templates.own_version(board_id, template_id, version)
    if own is not None:
        return own
    shipped = uow.checklist_templates.shipped().get(template_id)
    if shipped is None:
        raise NotFound(f"The checklist “{template_id}” is no longer available.")
    return shipped


def load_for_board(db: AbstractDatabase, *, board_name: str, template: Template, source: str, actor: str,
                   now: datetime) -> None:
    """Keep a checked template, and the YAML it was read from, as a board's own; a version can't be replaced."""
    with db.uow() as uow:
        boards = uow.boards.named(board_name)
        if len(boards) != 1:
            raise NotFound(f"No single board is called {board_name!r} ({len(boards)} found).")
        board = boards[0]
        assert board.id is not None  # a board from the repository
        if uow.checklist_templates.own_version(board.id, template.id, template.version) is not None:
            raise Conflict(f"{board.name} already has version {template.version} of {template.id}; "
                           "raise the version number to load a changed template.")
        uow.checklist_templates.put(board.id, template.id, template.version, source, by=actor, at=now)
        uow.record(ChecklistLoaded(now, actor, board.id, template.id, template.version))
        uow.commit()
