"""The checklist walk-through's buttons and forms, and the `/collab checklist` and `/collab report` commands."""

from __future__ import annotations

import re

from slack_bolt import App

from bot.services import checklists, rounds
from handlers import parse
from handlers.deps import Deps, deps_of
from handlers.forms import field, notice_view, open_modal, own_form
from handlers.grammar import checklists as k
from handlers.parse import Where
from prompts.blocks import checklist_replies as replies
from prompts.blocks.checklists import area_modal, evidence_modal, note_modal
from prompts.ids.checklists import ChecklistAction, ChecklistBlock, ChecklistCallback

ANSWER_ACTION = re.compile(rf"^{ChecklistAction.ANSWER.value}:\d+$")


def run_checklists(cmd: k.ChecklistCommand, at: Where, *, deps: Deps) -> dict:
    """Carry out one checklist command; the ephemeral reply."""
    db, where, now = deps.db, {"team_id": at.team_id, "channel_id": at.channel_id}, deps.clock.now()
    match cmd:
        case k.ChecklistStart(template_id=template_id):
            step = checklists.start(db, **where, user_id=at.user_id, template_id=template_id, now=now)
            return replies.started(step)
        case k.RoundOpen(template_id=template_id, closes_on=closes_on):
            r, template, invited = rounds.open_round(db, **where, actor=at.user_id, template_id=template_id,
                                                     closes_at=None, closes_on=closes_on, now=now)
            return replies.round_opened(template, r, invited, closes_on)
        case k.RoundClose(template_id=template_id):
            return replies.round_closed(rounds.close_open_round(db, **where, actor=at.user_id,
                                                                    template_id=template_id, now=now))
        case k.Report(template_id=template_id):
            return replies.report_requested(rounds.request_report(db, **where, actor=at.user_id,
                                                                      template_id=template_id, now=now))
    raise TypeError(f"no handler for {type(cmd).__name__}")


def _target(value: str) -> tuple[int, str, str | None]:
    """Round id, question id and (for an answer) the value a walk-through button carries."""
    parts = value.split(":") if isinstance(value, str) else []
    if len(parts) not in (2, 3) or not parts[0].isdigit():
        raise parse.Malformed()
    return int(parts[0]), parts[1], parts[2] if len(parts) == 3 else None


def answer_clicked(ack, body: dict, context) -> None:
    """An answer button: save it; the message turns to the next question."""
    deps = deps_of(context)
    at, _, value = parse.click(body)
    round_id, question_id, chosen = _target(value)
    checklists.answer(deps.db, team_id=at.team_id, round_id=round_id, user_id=at.user_id, question_id=question_id,
                      value=chosen, now=deps.clock.now(), reply_to=at.route())
    ack()


def move(ack, body: dict, context) -> None:
    """Back, Skip or Pause: show another question (or the paused note) in place of this one."""
    deps = deps_of(context)
    at, action_id, value = parse.click(body)
    round_id, question_id, _ = _target(value)
    checklists.move(deps.db, team_id=at.team_id, round_id=round_id, user_id=at.user_id, question_id=question_id,
                    direction={ChecklistAction.BACK: "back", ChecklistAction.SKIP: "skip"}.get(action_id, "pause"),
                    now=deps.clock.now(), reply_to=at.route())
    ack()


def start_clicked(ack, body: dict, context) -> None:
    """Start (or Carry on) in an invitation or reminder: the first unanswered question follows."""
    deps = deps_of(context)
    at, _, value = parse.click(body)
    checklists.resume(deps.db, team_id=at.team_id, round_id=parse.record_id(value), user_id=at.user_id,
                      now=deps.clock.now())
    ack()


def ask_text(ack, body: dict, context, client) -> None:
    """Add note, Add evidence link, or Answer this area in one go: open the form for it."""
    deps = deps_of(context)
    at, action_id, value = parse.click(body)
    round_id, question_id, _ = _target(value)
    step = checklists.show(deps.db, team_id=at.team_id, round_id=round_id, user_id=at.user_id,
                           question_id=question_id, writing=action_id != ChecklistAction.AREA)
    mine = step.answers.get(question_id)
    sealed = deps.sealer.seal({"team": at.team_id, "user": at.user_id, "round": round_id, "question": question_id,
                               "response_url": at.response_url})
    if action_id == ChecklistAction.NOTE:
        view = note_modal(step.question.text, initial=mine.note if mine else "", metadata=sealed)
    elif action_id == ChecklistAction.EVIDENCE:
        view = evidence_modal(step.question.text, initial=mine.evidence if mine else "", metadata=sealed)
    else:
        view = area_modal(step.template, step.template.area_of(question_id).id, answers=step.answers,
                          metadata=sealed)
    open_modal(client, at, view)
    ack()


def submit_text(ack, body: dict, context) -> None:
    """Save a note or an evidence link, or a whole area's answers."""
    deps = deps_of(context)
    at, view, sealed = own_form(deps.sealer, body)
    round_id, question_id = parse.record_id(sealed.get("round")), sealed.get("question")
    if not isinstance(question_id, str):
        raise parse.Malformed()
    reply_to = Where(at.team_id, at.user_id, None, sealed.get("response_url")).route()
    callback = view.get("callback_id")
    common = dict(team_id=at.team_id, round_id=round_id, user_id=at.user_id, now=deps.clock.now())
    if callback == ChecklistCallback.AREA:
        prefix = f"{ChecklistBlock.QUESTION.value}:"
        values = {block[len(prefix):]: field(view, block) for block in (view.get("state") or {}).get("values", {})
                  if block.startswith(prefix)}
        if not any(values.values()):
            ack(response_action="update", view=notice_view(replies.nothing_chosen()))
            return
        step = checklists.answer_area(deps.db, values=values, reply_to=reply_to, **common)
    else:
        block = ChecklistBlock.NOTE if callback == ChecklistCallback.NOTE else ChecklistBlock.EVIDENCE
        text = field(view, block)
        step = checklists.answer(deps.db, question_id=question_id, reply_to=reply_to,
                                 **({"note": text} if callback == ChecklistCallback.NOTE else {"evidence": text}),
                                 **common)
    ack(response_action="update", view=notice_view(replies.saved(step)))


def apply_type(ack, body: dict, context) -> None:
    """The chair applies the selector's recommendation to the board (after Slack's confirmation)."""
    deps = deps_of(context)
    at, _, value = parse.click(body)
    checklists.apply_recommendation(deps.db, team_id=at.team_id, round_id=parse.record_id(value), actor=at.user_id,
                                    now=deps.clock.now(), reply_to=at.route())
    ack()


def register(app: App) -> None:
    """Listen for the walk-through's buttons and forms."""
    app.action(ANSWER_ACTION)(answer_clicked)
    for action in (ChecklistAction.BACK, ChecklistAction.SKIP, ChecklistAction.PAUSE):
        app.action(action.value)(move)
    for action in (ChecklistAction.NOTE, ChecklistAction.EVIDENCE, ChecklistAction.AREA):
        app.action(action.value)(ask_text)
    app.action(ChecklistAction.START.value)(start_clicked)
    app.action(ChecklistAction.APPLY_TYPE.value)(apply_type)
    for callback in (ChecklistCallback.NOTE, ChecklistCallback.EVIDENCE, ChecklistCallback.AREA):
        app.view(callback.value)(submit_text)

