"""Actions from a report's gaps: Create action opens a form, `/collab actions` lists them, Done finishes one."""

from __future__ import annotations

from slack_bolt import App

from bot.domain.errors import InvalidValue
from bot.services import actions
from handlers import parse
from handlers.deps import Deps, deps_of
from handlers.forms import day, field, notice_view, open_modal, own_form
from handlers.parse import Where
from prompts.blocks.actions import action_created, action_list, action_modal
from prompts.ids.checklists import ChecklistAction, ChecklistBlock, ChecklistCallback

QUESTION_ID_LIMIT = 60  # the actions table's question_id column


def run_actions(at: Where, *, deps: Deps) -> dict:
    """`/collab actions`: the board's open actions, each with Done (an ephemeral reply)."""
    return action_list(actions.list_actions(deps.db, team_id=at.team_id, channel_id=at.channel_id,
                                            now=deps.clock.now()))


def _gap(value: str) -> tuple[int, str]:
    """The round id and question id a "Create action" button carries ("ROUND_ID:QUESTION_ID")."""
    round_id, _, question_id = value.partition(":")
    if not question_id or len(question_id) > QUESTION_ID_LIMIT:
        raise parse.Malformed()
    return parse.record_id(round_id), question_id


def ask_action(ack, body: dict, context, client) -> None:
    """Create action beside a report's gap: if the chair or secretary clicked, open the form for it."""
    deps = deps_of(context)
    at, _, value = parse.click(body)
    round_id, question_id = _gap(value)
    form = actions.action_form(deps.db, team_id=at.team_id, round_id=round_id, question_id=question_id,
                               actor=at.user_id, now=deps.clock.now())
    sealed = deps.sealer.seal({"team": at.team_id, "user": at.user_id, "round": round_id, "question": question_id})
    open_modal(client, at, action_modal(form, metadata=sealed))
    ack()


def submit_action(ack, body: dict, context) -> None:
    """Save the action; its owner is told, and reminded before it is due."""
    deps = deps_of(context)
    at, view, sealed = own_form(deps.sealer, body)
    question_id = sealed.get("question")
    if not isinstance(question_id, str):
        raise parse.Malformed()
    owner = field(view, ChecklistBlock.ACTION_OWNER)
    if not owner:
        raise InvalidValue("Choose who owns the action.", field="owner")
    due_on = day(view, ChecklistBlock.ACTION_DUE)
    if due_on is None:
        raise InvalidValue("Choose the date it is due.", field="due_on")
    action, board = actions.create_action(
        deps.db, team_id=at.team_id, actor=at.user_id, title=field(view, ChecklistBlock.ACTION_TITLE),
        owner=parse.slack_id(owner, first="UW"), due_on=due_on, now=deps.clock.now(),
        round_id=parse.record_id(sealed.get("round")), question_id=question_id)
    ack(response_action="update", view=notice_view(action_created(action, board)))


def done_clicked(ack, body: dict, context) -> None:
    """Done on the actions list or an owner's message: record it; the message then shows it done."""
    deps = deps_of(context)
    at, _, value = parse.click(body)
    listed = bool(at.channel_id) and at.channel_id[0] in "CG"  # the list is in the board's channel, not a DM
    actions.finish_action(deps.db, team_id=at.team_id, action_id=parse.record_id(value), actor=at.user_id,
                          now=deps.clock.now(), reply_to=at.route(), listed=listed)
    ack()


def register(app: App) -> None:
    """Listen for Create action, its form, and Done."""
    app.action(ChecklistAction.CREATE_ACTION.value)(ask_action)
    app.view(ChecklistCallback.ACTION.value)(submit_action)
    app.action(ChecklistAction.ACTION_DONE.value)(done_clicked)
