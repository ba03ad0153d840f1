"""Actions from a report's gaps against a real database (SQLite and PostgreSQL): the form, its submission, Done,
the reminders and the weekly digest."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from bot.clock import FixedClock
from bot.domain.errors import Conflict, DomainError, NotAllowed, NotFound
from bot.domain.events import Route
from bot.domain.jobs import ClaimedJob, Job
from bot.domain.rounds import Round
from bot.outbound.kinds.base import SendContext
from bot.outbound.registry import Kind, senders
from bot.services import actions, digests
from bot.services.uow import AlreadyHandled
from handlers import actions as listeners
from handlers.deps import Deps
from handlers.errors import answer
from handlers.forms import Sealer
from handlers.parse import Where
from prompts.blocks.digest import digest_message
from prompts.errors import mrkdwn
from prompts.ids.checklists import ChecklistAction, ChecklistBlock, ChecklistCallback
from storage.models import AuditEventRow
from storage.models_checklists import ActionRow
from tests.integration.test_boards import CHAIR, CHANNEL, TEAM, make_board
from tests.integration.test_escalation_races import run_together
from tests.integration.test_proposals import seat

NOW = datetime(2026, 11, 30, 10, 0)  # a Monday, in GMT
OTHER_TEAM = "T2OTHER"
SEALER = Sealer(b"s" * 32)
HOOK = "https://hooks.example/actions"


class RecordingSlack:
    """Keeps the forms opened and the messages posted, and answers as Slack does."""

    def __init__(self):
        self.views, self.posts = [], []

    def views_open(self, *, trigger_id, view):
        self.views.append(view)
        return {"ok": True}

    def chat_postMessage(self, **kwargs):  # noqa: N802 - slack_sdk's name
        self.posts.append(kwargs)
        return {"ok": True, "ts": f"1.{len(self.posts):06d}"}


def board_with_round(db, template_id="retired-checklist") -> tuple[int, int]:
    """A board (chair, two members, a secretary) and a round of a checklist; the board's and the round's ids."""
    board = make_board(db)
    seat(db, {"U2": "member", "U3": "member", "USEC": "secretary"})
    with db.uow() as uow:
        round_id = uow.checklist_rounds.add(Round(None, board.id, template_id, 1, False, CHAIR, NOW))
        uow.commit()
    return board.id, round_id


def deps(db, key="view:V1") -> Deps:
    return Deps(db.for_request(key), None, FixedClock(NOW), SEALER)


def create(db, round_id, *, actor=CHAIR, owner="U2", due_on=date(2026, 12, 28), title="Agree the MoU"):
    return actions.create_action(db, team_id=TEAM, actor=actor, title=title, owner=owner, due_on=due_on, now=NOW,
                                 round_id=round_id, question_id="mou-agreed")[0]


def submission(round_id, *, title="Agree the MoU", owner="U2", due="2026-12-28", user=CHAIR) -> dict:
    values = {ChecklistBlock.ACTION_TITLE.value: {"value": {"type": "plain_text_input", "value": title}},
              ChecklistBlock.ACTION_OWNER.value: {"value": {"type": "users_select", "selected_user": owner}},
              ChecklistBlock.ACTION_DUE.value: {"value": {"type": "datepicker", "selected_date": due}}}
    return {"type": "view_submission", "team": {"id": TEAM}, "user": {"id": user, "team_id": TEAM},
            "trigger_id": "1.2.3", "view": {
                "callback_id": ChecklistCallback.ACTION.value, "state": {"values": values},
                "private_metadata": SEALER.seal({"team": TEAM, "user": user, "round": round_id,
                                                 "question": "mou-agreed"})}}


def submit(db, body, key="view:V1") -> dict:
    """What Slack gets back for a submission: the listener's answer, or the error handler's."""
    answered, d = {}, deps(db, key)
    try:
        listeners.submit_action(lambda **kwargs: answered.update(kwargs), body, {"deps": d})
    except (DomainError, AlreadyHandled) as error:
        return json.loads(answer(error, body=body, deps=d).body or "{}")
    return answered


def click(db, action_id: str, value: str, *, user=CHAIR, team=TEAM, channel=CHANNEL, client=None):
    body = {"type": "block_actions", "team": {"id": team}, "user": {"id": user, "team_id": team},
            "channel": {"id": channel}, "response_url": HOOK, "trigger_id": f"t-{user}-{value}",
            "actions": [{"action_id": action_id, "value": value, "action_ts": "1.1"}]}
    listener = listeners.ask_action if action_id == ChecklistAction.CREATE_ACTION else listeners.done_clicked
    args = (lambda **kwargs: None, body, {"deps": deps(db, f"click:{user}:{value}")})
    listener(*args, client) if client is not None else listener(*args)


def count(db, model) -> int:
    with db.read() as uow:
        return uow.session.execute(select(func.count()).select_from(model)).scalar_one()


def audited(db, action: str) -> list[dict]:
    with db.read() as uow:
        rows = uow.session.execute(select(AuditEventRow).where(AuditEventRow.action == action)
                                   .order_by(AuditEventRow.seq)).scalars()
        return [{"actor": r.actor, **json.loads(r.payload)} for r in rows]


def test_create_action_on_a_gap_opens_a_form_due_four_weeks_on_for_the_chair(db):
    _, round_id = board_with_round(db)
    slack = RecordingSlack()
    click(db, ChecklistAction.CREATE_ACTION, f"{round_id}:mou-agreed", client=slack)
    [view] = slack.views
    assert view["callback_id"] == ChecklistCallback.ACTION.value
    due = next(b for b in view["blocks"] if b.get("block_id") == ChecklistBlock.ACTION_DUE.value)
    # Four weeks from Monday 30 November is Monday 28 December, a bank holiday: the form offers Tuesday 29th.
    assert due["element"]["initial_date"] == "2026-12-29"
    assert "mou-agreed" in json.dumps(view["blocks"][0]), "a retired checklist's gap is named by its question id"


def test_the_form_title_comes_from_the_gaps_question_when_the_checklist_is_known(db):
    templates = pytest.importorskip("storage.checklist_files").shipped_templates()
    if "board-diagnostic" not in templates:
        pytest.skip("the board diagnostic is not shipped")
    question = next(iter(templates["board-diagnostic"].questions()))
    _, round_id = board_with_round(db, "board-diagnostic")
    form = actions.action_form(db, team_id=TEAM, round_id=round_id, question_id=question.id, actor=CHAIR, now=NOW)
    assert form.question == question.text


@pytest.mark.parametrize("user", ["U2", "USTRANGER"])
def test_only_the_chair_or_secretary_may_open_the_form(db, user):
    _, round_id = board_with_round(db)
    with pytest.raises(NotAllowed):
        actions.action_form(db, team_id=TEAM, round_id=round_id, question_id="q", actor=user, now=NOW)
    assert actions.action_form(db, team_id=TEAM, round_id=round_id, question_id="q", actor="USEC",
                               now=NOW).board.name == "North Finance Network"


def test_a_click_or_form_from_another_workspace_finds_no_round(db):
    _, round_id = board_with_round(db)
    with pytest.raises(NotFound) as gone:
        actions.action_form(db, team_id=OTHER_TEAM, round_id=round_id, question_id="q", actor=CHAIR, now=NOW)
    assert mrkdwn(gone.value) == "That round no longer exists."
    with pytest.raises(NotFound):
        actions.create_action(db, team_id=OTHER_TEAM, actor=CHAIR, title="x", owner="U2", due_on=date(2026, 12, 28),
                              now=NOW, round_id=round_id, question_id="q")
    with pytest.raises(NotFound):
        actions.action_form(db, team_id=TEAM, round_id=round_id + 1, question_id="q", actor=CHAIR, now=NOW)
    assert count(db, ActionRow) == 0


def test_submitting_the_form_saves_the_action_audits_it_and_queues_the_owners_messages(db):
    board_id, round_id = board_with_round(db)
    reply = submit(db, submission(round_id))
    assert reply["response_action"] == "update" and "Agree the MoU" in json.dumps(reply["view"])
    with db.read() as uow:
        [action] = uow.actions.open_of(board_id)
        remind, overdue = (uow.outbox.status(f"{k}:{action.id}") for k in (Kind.ACTION_REMIND, Kind.ACTION_OVERDUE))
        told = uow.outbox.status(f"{Kind.NOTICE}:action.assigned:{action.id}")
    assert (action.round_id, action.question_id, action.owner, action.due_on) == (round_id, "mou-agreed", "U2",
                                                                                  date(2026, 12, 28))
    assert (remind.due_at, overdue.due_at) == (datetime(2026, 12, 24, 9, 0), datetime(2026, 12, 29, 9, 0))
    assert told is not None
    [created] = audited(db, "action.created")
    assert (created["actor"], created["action_id"], created["round_id"]) == (CHAIR, action.id, round_id)


def test_a_repeated_submission_saves_one_action(db):
    _, round_id = board_with_round(db)
    submit(db, submission(round_id))
    assert submit(db, submission(round_id)) == {}, "Slack's retry of the same submission is ignored"
    assert count(db, ActionRow) == 1


@pytest.mark.parametrize(("change", "block"), [
    ({"title": "  "}, ChecklistBlock.ACTION_TITLE),
    ({"owner": "UOUTSIDER"}, ChecklistBlock.ACTION_OWNER),
    ({"owner": ""}, ChecklistBlock.ACTION_OWNER),
    ({"due": "2026-11-01"}, ChecklistBlock.ACTION_DUE),
])
def test_bad_input_in_the_form_is_shown_beside_its_field_and_saves_nothing(db, change, block):
    _, round_id = board_with_round(db)
    body = submission(round_id, **change)
    if change.get("owner") == "":
        del body["view"]["state"]["values"][ChecklistBlock.ACTION_OWNER.value]["value"]["selected_user"]
    reply = submit(db, body)
    assert reply["response_action"] == "errors" and list(reply["errors"]) == [block.value]
    assert count(db, ActionRow) == 0 and audited(db, "action.created") == []


def test_a_member_who_is_not_the_chair_cannot_submit_the_form(db):
    _, round_id = board_with_round(db)
    reply = submit(db, submission(round_id, user="U2"))
    assert reply["response_action"] == "errors" and "chair or secretary" in json.dumps(reply)
    assert count(db, ActionRow) == 0


def test_only_the_owner_or_the_chair_marks_it_done_and_the_list_then_shows_it_done(db):
    _, round_id = board_with_round(db)
    action = create(db, round_id, owner="U2")
    with pytest.raises(NotAllowed):
        click(db, ChecklistAction.ACTION_DONE, str(action.id), user="U3")
    click(db, ChecklistAction.ACTION_DONE, str(action.id), user="U2")
    with db.read() as uow:
        done = uow.actions.get(action.id)
        replaced = uow.outbox.status(f"{Kind.REPLACE}:action.done:{action.id}")
    assert (done.done_by, done.done_at) == ("U2", NOW)
    assert replaced is not None
    assert [(a["actor"], a["action_id"]) for a in audited(db, "action.done")] == [("U2", action.id)]


def test_two_people_pressing_done_at_once_record_it_once(db):
    _, round_id = board_with_round(db)
    action = create(db, round_id, owner="U2")
    errors = run_together(
        lambda: actions.finish_action(db, team_id=TEAM, action_id=action.id, actor="U2", now=NOW),
        lambda: actions.finish_action(db, team_id=TEAM, action_id=action.id, actor=CHAIR, now=NOW))
    assert len(errors) == 1 and isinstance(errors[0], Conflict)
    assert len(audited(db, "action.done")) == 1


def test_the_actions_command_lists_the_boards_open_actions_with_done_buttons(db):
    _, round_id = board_with_round(db)
    later = create(db, round_id, title="Later", due_on=date(2027, 1, 29))
    sooner = create(db, round_id, title="Sooner", due_on=date(2026, 12, 4))
    reply = listeners.run_actions(Where(TEAM, CHAIR, CHANNEL), deps=deps(db))
    buttons = [b["accessory"]["value"] for b in reply["blocks"] if b.get("accessory")]
    assert buttons == [str(sooner.id), str(later.id)]
    with pytest.raises(NotFound):
        listeners.run_actions(Where(TEAM, CHAIR, "C0NOBOARD"), deps=deps(db))


def test_the_reminders_dm_the_owner_and_nothing_once_it_is_done(db):
    _, round_id = board_with_round(db)
    open_one, done_one = create(db, round_id, owner="U3"), create(db, round_id, owner="U2")
    actions.finish_action(db, team_id=TEAM, action_id=done_one.id, actor="U2", now=NOW,
                          reply_to=Route(TEAM, "U2", "D1", HOOK))
    slack = RecordingSlack()
    send = senders(SendContext(slack, db, FixedClock(NOW)))
    for kind in (Kind.ACTION_REMIND, Kind.ACTION_OVERDUE):
        for a in (open_one, done_one):
            send[kind].send(ClaimedJob(1, Job(kind, f"{kind}:{a.id}", NOW, {"action": a.id}), 1, "test", NOW))
    assert [p["channel"] for p in slack.posts] == ["U3", "U3"]


def test_the_weekly_digest_counts_open_and_overdue_actions_overdue_first(db):
    board_id, round_id = board_with_round(db)
    create(db, round_id, title="Later", due_on=date(2027, 1, 29))
    create(db, round_id, title="Sooner", due_on=date(2026, 12, 4))
    finished = create(db, round_id, title="Finished", due_on=date(2026, 12, 4))
    actions.finish_action(db, team_id=TEAM, action_id=finished.id, actor=CHAIR, now=NOW)
    digest = digests.build(db, board_id=board_id, now=datetime(2026, 12, 10, 10, 0))
    assert [(a.title, a.overdue) for a in digest.actions] == [("Sooner", True), ("Later", False)]
    text = json.dumps(digest_message(digest))
    assert "Open actions (2, 1 overdue)" in text and "Finished" not in text
