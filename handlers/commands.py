"""The `/collab` slash command: parse the text, call one service, answer in the HTTP response."""

from __future__ import annotations

from slack_bolt import App

from bot.domain.delegation import OrgType
from bot.domain.errors import Command, Conflict
from bot.domain.proposals import default_closing, ensure_can_propose
from bot.services import boards, polls, proposals, reviews, schedules
from bot.services.checklist_templates import checklist_titles
from handlers import parse
from handlers.actions import run_actions
from handlers.checklists import run_checklists
from handlers.deps import Deps, deps_of
from handlers.forms import open_modal
from handlers.grammar import checklists as k
from handlers.grammar import collab as c
from handlers.grammar import delegation as d
from handlers.parse import Where
from handlers.scheme import run_delegation
from prompts.blocks import replies
from prompts.blocks.history import decision_history
from prompts.blocks.poll_modals import propose_modal
from prompts.blocks.polls import decisions_list
from prompts.blocks.reviews import review_list, review_modal, review_removed
from prompts.blocks.schedules import reminded_view, settings_modal
from prompts.blocks.setup import setup_modal


def sealed_for(at: Where, deps: Deps) -> str:
    """A modal's metadata: the workspace, person and channel it was opened for, sealed."""
    return deps.sealer.seal({"team": at.team_id, "user": at.user_id, "channel": at.channel_id})


BOARD_COMMANDS = (c.OrgAdd, c.OrgType, c.OrgRename, c.OrgList, c.MembersList, c.MembersAdd, c.MembersRemove,
                  c.MembersNominate)
SCHEDULE_COMMANDS = (c.Settings, c.Reviews, c.ReviewsAdd, c.ReviewsRemove, c.Reminders)


def run(cmd: c.Command, at: Where, *, deps: Deps, client) -> dict | None:
    """Carry out one parsed command; returns the ephemeral reply, or None when a modal opened instead."""
    if isinstance(cmd, d.DelegationCommand):
        return run_delegation(cmd, at, deps=deps, client=client)
    if isinstance(cmd, k.Actions):
        return run_actions(at, deps=deps)
    if isinstance(cmd, k.ChecklistCommand):
        return run_checklists(cmd, at, deps=deps)
    if isinstance(cmd, BOARD_COMMANDS):
        return _run_board(cmd, at, deps=deps)
    if isinstance(cmd, SCHEDULE_COMMANDS):
        return _run_schedule(cmd, at, deps=deps, client=client)
    return _run_polls(cmd, at, deps=deps, client=client)


def _run_polls(cmd: c.Command, at: Where, *, deps: Deps, client) -> dict | None:
    """Set-up, proposals, the register and help."""
    db, where, now = deps.db, {"team_id": at.team_id, "channel_id": at.channel_id}, deps.clock.now()
    match cmd:
        case c.Setup():
            if boards.board_for_channel(db, **where) is not None:
                raise Conflict("This channel is already linked to a board. See {command}.",
                               command=Command("/collab members"))
            open_modal(client, at, setup_modal(channel_id=at.channel_id, timezone=deps.settings.COLLAB_TIMEZONE,
                                               metadata=sealed_for(at, deps)))
            return None
        case c.Propose(title=title):
            board, categories, by_category = proposals.proposal_form(db, **where)
            ensure_can_propose(board, at.user_id)
            open_modal(client, at, propose_modal(board=board, categories=categories, channel_id=at.channel_id,
                                                 title=title, metadata=sealed_for(at, deps),
                                                 closes_at=default_closing(now, board.timezone),
                                                 category_rules=by_category))
            return None
        case c.Decisions():
            return decisions_list(polls.recent_decisions(db, **where))
        case c.History(number=number):
            return decision_history(polls.decision_history(db, **where, actor=at.user_id, number=number))
        case c.Help(unknown=unknown):
            return replies.help_message(unknown)
    raise TypeError(f"no handler for {type(cmd).__name__}")


def _run_board(cmd: c.Command, at: Where, *, deps: Deps) -> dict:
    """Organisations and members."""
    db, where, now = deps.db, {"team_id": at.team_id, "channel_id": at.channel_id}, deps.clock.now()
    match cmd:
        case c.OrgAdd(name=name):
            return replies.organisation_added(boards.add_organisation(db, **where, actor=at.user_id, name=name,
                                                                      now=now))
        case c.OrgType(name=name, kind=kind):
            saved = boards.set_organisation_type(db, **where, actor=at.user_id, name=name, kind=OrgType(kind), now=now)
            return replies.organisation_changed(saved, kind=kind)
        case c.OrgRename(name=name, new_name=new_name):
            was, saved = boards.rename_organisation(db, **where, actor=at.user_id, name=name, new_name=new_name,
                                                    now=now)
            return replies.organisation_changed(saved, was=was)
        case c.OrgList():
            return replies.organisation_list(boards.list_organisations(db, team_id=at.team_id))
        case c.MembersList():
            return replies.member_list(boards.list_members(db, **where))
        case c.MembersAdd(user_id=user_id, organisation=org, role=role):
            change = boards.add_member(db, **where, actor=at.user_id, user_id=user_id, organisation=org, role=role,
                                       now=now)
            return replies.member_changed(user_id, change.member.organisation, role, change.outcome)
        case c.MembersRemove(user_id=user_id):
            board = boards.remove_member(db, **where, actor=at.user_id, user_id=user_id, now=now)
            return replies.member_removed(user_id, board)
        case c.MembersNominate(user_id=user_id):
            return replies.voter_nominated(boards.nominate_voter(db, **where, actor=at.user_id, user_id=user_id,
                                                                 now=now))
    raise TypeError(f"no handler for {type(cmd).__name__}")


def _run_schedule(cmd: c.Command, at: Where, *, deps: Deps, client) -> dict | None:
    """Settings, governance reviews and who was reminded."""
    db, where, now = deps.db, {"team_id": at.team_id, "channel_id": at.channel_id}, deps.clock.now()
    match cmd:
        case c.Settings():
            board = schedules.settings_form(db, **where, actor=at.user_id)
            open_modal(client, at, settings_modal(board, metadata=sealed_for(at, deps)))
            return None
        case c.Reviews():
            board, found = reviews.list_reviews(db, **where)
            return review_list(board.name, board.timezone, found)
        case c.ReviewsAdd():
            board = schedules.settings_form(db, **where, actor=at.user_id)
            open_modal(client, at, review_modal(today=reviews.calendar_of(board).local_date(now),
                                                metadata=sealed_for(at, deps),
                                                checklists=checklist_titles(db, **where)))
            return None
        case c.ReviewsRemove(review_id=review_id):
            return review_removed(reviews.remove_review(db, **where, actor=at.user_id, review_id=review_id, now=now))
        case c.Reminders():
            return reminded_view(*schedules.reminded(db, **where, actor=at.user_id))
    raise TypeError(f"no handler for {type(cmd).__name__}")


def collab(ack, body: dict, context, client) -> None:
    """`/collab ...`: the answer goes back in the HTTP response, so it needs no further call to Slack."""
    at, text = parse.command(body)
    reply = run(c.parse(text), at, deps=deps_of(context), client=client)
    if reply is None:
        ack()
    else:
        ack(**reply, response_type="ephemeral")


def register(app: App) -> None:
    """Listen for `/collab`."""
    app.command("/collab")(collab)
