"""Which checklists a board can run: the shipped templates, and any the board loaded from its own file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import yaml

from bot.checklist_files import load_template, shipped_templates
from bot.domain.checklists import Template
from bot.domain.errors import Conflict, NotFound
from bot.domain.template_rules import parse_template
from bot.services.uow import AbstractUnitOfWork
from storage.uow import Database

DEFAULT_TEMPLATE = "board-diagnostic"


def _parsed(source: str) -> Template:
    return parse_template(yaml.safe_load(source))  # stored sources were validated when they were loaded


def templates_of(uow: AbstractUnitOfWork, board_id: int) -> dict[str, Template]:
    """The templates a board can run, by id: the shipped ones, replaced by the board's own of the same id."""
    found = dict(shipped_templates())
    found.update({tid: _parsed(source) for tid, (_, source) in uow.checklist_templates.sources(board_id).items()})
    return found


def checklist_titles(db: Database, *, team_id: str, channel_id: str) -> dict[str, str]:
    """The checklists this channel's board can run, id -> title (none when the channel has no board)."""
    with db.read() as uow:
        workspace_id = uow.workspaces.find(team_id)
        board = uow.boards.for_channel(workspace_id, channel_id) if workspace_id else None
        return {t.id: t.title for t in templates_of(uow, board.id).values()} if board else {}


def template_for(uow: AbstractUnitOfWork, board_id: int, template_id: str, version: int) -> Template:
    """The template a round was answered on: the board's own version of it, or the shipped one."""
    source = uow.checklist_templates.source(board_id, template_id, version)
    if source is not None:
        return _parsed(source)
    shipped = shipped_templates().get(template_id)
    if shipped is None:
        raise NotFound(f"The checklist “{template_id}” is no longer available.")
    return shipped


def load_for_board(db: Database, *, board_name: str, path: Path, actor: str, now: datetime) -> Template:
    """Load a board's own template from a file (checked first); a version once loaded can't be replaced."""
    template = load_template(path)
    with db.uow() as uow:
        boards = uow.boards.named(board_name)
        if len(boards) != 1:
            raise NotFound(f"No single board is called {board_name!r} ({len(boards)} found).")
        board = boards[0]
        if uow.checklist_templates.source(board.id, template.id, template.version) is not None:
            raise Conflict(f"{board.name} already has version {template.version} of {template.id}; "
                           "raise the version number to load a changed template.")
        uow.checklist_templates.put(board.id, template.id, template.version, Path(path).read_text("utf-8"),
                                    by=actor, at=now)
        uow.audit.append(actor=actor, action="checklist.loaded", at=now, payload={
            "board_id": board.id, "template": template.id, "version": template.version})
        uow.commit()
        return template
