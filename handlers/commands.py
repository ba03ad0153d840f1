"""The `/collab` slash command: parse the text, call one service, reply ephemerally."""

from __future__ import annotations

from dataclasses import dataclass

from slack_bolt import App

from bot.domain import commands as c
from bot.domain.errors import Conflict
from bot.domain.proposals import default_closing, ensure_can_propose
from bot.services import boards, polls, proposals
from bot.settings import Settings
from handlers.errors import guarded
from handlers.home import refresh_home
from prompts.blocks import replies
from prompts.blocks.poll_modals import propose_modal
from prompts.blocks.polls import decisions_list
from prompts.blocks.setup import setup_modal
from storage.audit import utcnow
from storage.uow import Database


@dataclass(frozen=True)
class Invocation:
    """Who typed the command, where, and what Slack gave us to answer with."""

    team_id: str
    channel_id: str
    user_id: str
    trigger_id: str


def run(cmd: c.Command, at: Invocation, *, db: Database, settings: Settings, client) -> dict | None:
    """Carry out one parsed command; returns the ephemeral reply, or None when a modal opened instead."""
    where = {"team_id": at.team_id, "channel_id": at.channel_id}
    match cmd:
        case c.Setup():
            if boards.board_for_channel(db, **where) is not None:
                raise Conflict("This channel is already linked to a board. See `/collab members`.")
            client.views_open(trigger_id=at.trigger_id,
                              view=setup_modal(channel_id=at.channel_id, timezone=settings.COLLAB_TIMEZONE))
            return None
        case c.Propose(title=title):
            board, categories = proposals.proposal_form(db, **where)
            ensure_can_propose(board, at.user_id)
            client.views_open(trigger_id=at.trigger_id, view=propose_modal(
                board=board, categories=categories, channel_id=at.channel_id, title=title,
                closes_at=default_closing(utcnow(), board.timezone)))
            return None
        case c.Decisions():
            return decisions_list(polls.recent_decisions(db, **where))
        case c.OrgAdd(name=name):
            return replies.organisation_added(boards.add_organisation(db, **where, actor=at.user_id, name=name))
        case c.OrgList():
            return replies.organisation_list(boards.list_organisations(db, team_id=at.team_id))
        case c.MembersList():
            return replies.member_list(boards.list_members(db, **where))
        case c.MembersAdd(user_id=user_id, organisation=org, role=role):
            change = boards.add_member(db, **where, actor=at.user_id, user_id=user_id, organisation=org, role=role)
            if change.outcome != "unchanged":
                refresh_home(client, db=db, team_id=at.team_id, user_id=user_id)
            return replies.member_changed(user_id, change.member.organisation, role, change.outcome)
        case c.MembersRemove(user_id=user_id):
            board = boards.remove_member(db, **where, actor=at.user_id, user_id=user_id)
            refresh_home(client, db=db, team_id=at.team_id, user_id=user_id)
            return replies.member_removed(user_id, board)
    return replies.help_message()


def register(app: App, *, db: Database, settings: Settings) -> None:
    """Listen for `/collab`."""

    @app.command("/collab")
    @guarded(db)
    def collab(ack, command: dict, respond, client):
        ack()
        at = Invocation(command["team_id"], command["channel_id"], command["user_id"], command.get("trigger_id", ""))
        reply = run(c.parse(command.get("text") or ""), at, db=db, settings=settings, client=client)
        if reply is not None:
            respond(**reply, response_type="ephemeral")
