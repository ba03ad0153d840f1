"""Actions from a report's gaps, on the in-memory unit of work: who may create and finish them, when their owner
hears, and what the list and the reminders show."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from bot.domain.errors import Conflict, InvalidValue, NotAllowed, NotFound
from bot.domain.events import Route
from bot.domain.jobs import ClaimedJob, Job
from bot.domain.schedule import WorkingCalendar
from bot.outbound.kinds.base import SendContext
from bot.outbound.notices import render
from bot.outbound.registry import Kind, senders
from bot.services import actions
from handlers.forms import inline_errors
from prompts.blocks.actions import action_list, suggested_title
from prompts.errors import mrkdwn
from prompts.ids.checklists import ChecklistAction, ChecklistBlock, ChecklistCallback
from tests.fakes import FakeDatabase
from tests.unit.board_on_fakes import CHAIR, CHANNEL, SECRETARY, TEAM, four_member_board

NOW = datetime(2026, 11, 30, 10, 0)  # a Monday, in GMT
HOOK = "https://hooks.example/actions"


@pytest.fixture
def db() -> FakeDatabase:
    return four_member_board(NOW)


def create(db, *, actor=CHAIR, title="Agree a data sharing protocol", owner="U2", due_on=date(2026, 12, 28),
           now=NOW):
    action, _ = actions.create_action(db, team_id=TEAM, channel_id=CHANNEL, actor=actor, title=title, owner=owner,
                                      due_on=due_on, now=now)
    return action


def finish(db, action_id, actor, **kwargs):
    return actions.finish_action(db, team_id=TEAM, action_id=action_id, actor=actor, now=NOW, **kwargs)


def claimed(kind: str, action_id: int) -> ClaimedJob:
    return ClaimedJob(1, Job(kind, f"{kind}:{action_id}", NOW, {"action": action_id}), 1, "test", NOW)


class RecordingSlack:
    """Keeps every message the senders post, and answers as Slack does."""

    def __init__(self):
        self.posts: list[dict] = []

    def chat_postMessage(self, **kwargs):  # noqa: N802 - slack_sdk's name
        self.posts.append(kwargs)
        return {"ok": True, "ts": f"1.{len(self.posts):06d}"}


def test_an_action_due_on_the_boxing_day_substitute_is_reminded_on_christmas_eve_and_overdue_on_the_29th(db):
    # Monday 28 December 2026 is the substitute for Boxing Day (a Saturday); Friday 25th is Christmas Day.
    action = create(db, due_on=date(2026, 12, 28))
    [remind] = db.jobs(Kind.ACTION_REMIND)
    [overdue] = db.jobs(Kind.ACTION_OVERDUE)
    assert remind.due_at == datetime(2026, 12, 24, 9, 0), "Thursday 24th, the working day before"
    assert overdue.due_at == datetime(2026, 12, 29, 9, 0), "Tuesday 29th, the first working day after"
    assert remind.payload == overdue.payload == {"action": action.id}


def test_reminders_go_at_nine_in_the_boards_summer_time():
    calendar = WorkingCalendar("Europe/London")
    remind_at, overdue_at = actions.reminder_times(date(2027, 6, 14), calendar, now=NOW)  # due on a Monday
    assert remind_at == datetime(2027, 6, 11, 8, 0), "Friday 11th at 09:00 BST"
    assert overdue_at == datetime(2027, 6, 15, 8, 0)


def test_a_reminder_whose_moment_has_passed_is_not_queued_but_the_overdue_one_is(db):
    create(db, due_on=date(2026, 12, 1))  # tomorrow: the day-before reminder was 09:00 today, already gone
    assert db.jobs(Kind.ACTION_REMIND) == []
    [overdue] = db.jobs(Kind.ACTION_OVERDUE)
    assert overdue.due_at == datetime(2026, 12, 2, 9, 0)


def test_creating_an_action_is_audited_and_its_owner_is_told_they_own_it(db):
    action = create(db, owner="U2")
    [notice] = db.jobs(Kind.NOTICE)
    assert notice.payload["to"]["user_id"] == "U2" and notice.payload["what"] == "action.assigned"
    [(actor, what, payload)] = [a for a in db.store.audit if a[1] == "action.created"]
    assert (actor, payload["action_id"], payload["owner"], payload["due_on"]) == (CHAIR, action.id, "U2",
                                                                                  "2026-12-28")
    content = render("action.assigned", notice.payload["data"], to=Route(TEAM, "U2"), db=db)
    text = json.dumps(content)
    assert "Agree a data sharing protocol" in text and ChecklistAction.ACTION_DONE.value in text


def test_a_chair_who_owns_their_own_action_gets_no_dm_about_it(db):
    create(db, owner=CHAIR)
    assert db.jobs(Kind.NOTICE) == []
    assert len(db.jobs(Kind.ACTION_OVERDUE)) == 1


@pytest.mark.parametrize("actor", ["U2", "USTRANGER"])
def test_only_the_chair_or_secretary_creates_an_action(db, actor):
    with pytest.raises(NotAllowed) as refused:
        create(db, actor=actor)
    assert "turn a gap into an action" in mrkdwn(refused.value)
    assert db.jobs(Kind.ACTION_REMIND) == db.jobs(Kind.ACTION_OVERDUE) == []
    assert create(db, actor=SECRETARY).created_by == SECRETARY


@pytest.mark.parametrize(("change", "field"), [
    ({"title": "   "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"owner": "UOUTSIDER"}, "owner"),
    ({"due_on": date(2026, 11, 29)}, "due_on"),
])
def test_a_bad_title_owner_or_date_is_shown_beside_its_field_and_saves_nothing(db, change, field):
    with pytest.raises(InvalidValue) as error:
        create(db, **change)
    assert error.value.field == field
    block = {"title": ChecklistBlock.ACTION_TITLE, "owner": ChecklistBlock.ACTION_OWNER,
             "due_on": ChecklistBlock.ACTION_DUE}[field]
    assert list(inline_errors(ChecklistCallback.ACTION.value, error.value)["errors"]) == [block.value]
    assert actions.list_actions(db, team_id=TEAM, channel_id=CHANNEL, now=NOW).actions == []
    assert db.jobs(Kind.ACTION_OVERDUE) == [] and not [a for a in db.store.audit if a[1] == "action.created"]


def test_an_action_due_today_may_be_created(db):
    assert create(db, due_on=date(2026, 11, 30)).due_on == date(2026, 11, 30)


def test_only_the_owner_or_the_chair_or_secretary_marks_an_action_done(db):
    first, second = create(db, owner="U2"), create(db, owner="U3")
    with pytest.raises(NotAllowed) as refused:
        finish(db, first.id, "U3")
    assert "<@U2>, who owns this action" in mrkdwn(refused.value)
    assert finish(db, first.id, "U2").done_by == "U2"
    assert finish(db, second.id, CHAIR).done_by == CHAIR
    assert actions.list_actions(db, team_id=TEAM, channel_id=CHANNEL, now=NOW).actions == []
    assert [(a, p["action_id"]) for a, w, p in db.store.audit if w == "action.done"] == [("U2", first.id),
                                                                                          (CHAIR, second.id)]


def test_an_action_is_done_once(db):
    action = create(db)
    finish(db, action.id, "U2")
    with pytest.raises(Conflict):
        finish(db, action.id, CHAIR)


def test_a_click_from_another_workspace_finds_no_action(db):
    action = create(db)
    with pytest.raises(NotFound):
        actions.finish_action(db, team_id="T2OTHER", action_id=action.id, actor=CHAIR, now=NOW)
    with pytest.raises(NotFound):
        finish(db, 999, CHAIR)


def test_done_on_the_list_redraws_the_list_showing_it_done_and_what_is_left(db):
    first, second = create(db, title="Agree the MoU"), create(db, title="Name a data lead", owner="U3")
    to = Route(TEAM, "U2", CHANNEL, HOOK)
    finish(db, first.id, "U2", reply_to=to, listed=True)
    [replace] = db.jobs(Kind.REPLACE)
    assert replace.payload["to"]["response_url"] == HOOK and replace.payload["what"] == "action.done"
    content = render(replace.payload["what"], replace.payload["data"], to=to, db=db)
    text = json.dumps(content)
    assert ":white_check_mark: *Agree the MoU* is done" in text and "Name a data lead" in text
    buttons = [b["accessory"]["value"] for b in content["blocks"] if b.get("accessory")]
    assert buttons == [str(second.id)], "only what is still open has a Done button"


def test_done_on_a_reminder_shows_just_that_it_is_done(db):
    action = create(db)
    to = Route(TEAM, "U2", "D123", HOOK)
    finish(db, action.id, "U2", reply_to=to)
    [replace] = db.jobs(Kind.REPLACE)
    text = json.dumps(render("action.done", replace.payload["data"], to=to, db=db))
    assert "done, recorded by <@U2>" in text and "open actions" not in text


def test_the_list_puts_the_soonest_due_first_and_marks_the_overdue(db):
    create(db, title="Later", due_on=date(2027, 1, 29))
    create(db, title="Sooner", due_on=date(2026, 12, 4))
    listing = actions.list_actions(db, team_id=TEAM, channel_id=CHANNEL, now=datetime(2026, 12, 10, 10, 0))
    assert [a.title for a in listing.actions] == ["Sooner", "Later"]
    content = action_list(listing)
    texts = [b["text"]["text"] for b in content["blocks"] if b.get("accessory")]
    assert ":warning: *overdue*" in texts[0] and "overdue" not in texts[1]
    assert content["text"] == "2 open actions, 1 overdue"


def test_a_long_list_stays_within_a_messages_50_blocks(db):
    for n in range(60):
        create(db, title=f"Action <!channel> {n} " + "x" * 150)
    content = action_list(actions.list_actions(db, team_id=TEAM, channel_id=CHANNEL, now=NOW))
    assert len(content["blocks"]) <= 50
    assert "<!channel>" not in json.dumps(content) and "15 more" in json.dumps(content)


def test_a_done_actions_reminder_sends_nothing(db):
    action = create(db)
    finish(db, action.id, "U2")
    slack = RecordingSlack()
    send = senders(SendContext(slack, db, db.clock))
    assert send[Kind.ACTION_REMIND].send(claimed(Kind.ACTION_REMIND, action.id)) == {"skipped": "done or gone"}
    assert send[Kind.ACTION_OVERDUE].send(claimed(Kind.ACTION_OVERDUE, action.id)) == {"skipped": "done or gone"}
    assert send[Kind.ACTION_REMIND].send(claimed(Kind.ACTION_REMIND, 999)) == {"skipped": "done or gone"}
    assert slack.posts == []


def test_an_open_actions_owner_is_reminded_and_then_told_it_is_overdue_by_dm(db):
    action = create(db, owner="U3")
    slack = RecordingSlack()
    send = senders(SendContext(slack, db, db.clock))
    send[Kind.ACTION_REMIND].send(claimed(Kind.ACTION_REMIND, action.id))
    send[Kind.ACTION_OVERDUE].send(claimed(Kind.ACTION_OVERDUE, action.id))
    assert [p["channel"] for p in slack.posts] == ["U3", "U3"]
    assert "Reminder" in slack.posts[0]["text"] + json.dumps(slack.posts[0]["blocks"])
    assert "is still open" in json.dumps(slack.posts[1]["blocks"])


def test_a_gap_becomes_something_to_do():
    assert suggested_title("Does the board have an agreed MoU?") == "Act on: Does the board have an agreed MoU"
    assert len(suggested_title("Why " * 100)) == 200
    assert suggested_title(None) == ""

