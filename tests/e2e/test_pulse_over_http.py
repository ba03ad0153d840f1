"""The pulse check over signed HTTP: one form sent once, no notes, and a report only once enough have answered."""

from __future__ import annotations

import json
import time
import uuid

from sqlalchemy import text

from prompts.ids import INPUT
from prompts.ids.checklists import ChecklistAction, ChecklistBlock
from storage.checklist_files import shipped_templates
from tests.e2e import payloads
from tests.e2e.checklist_flow import click
from tests.e2e.conftest import reply_text
from tests.e2e.flows import board_with_members, submit_view
from tests.e2e.test_checklists import fresh, said
from tests.e2e.test_schedules import posted

PULSE = shipped_templates()["pulse-check"]


def pulse_dm(server, user: str) -> dict:
    """The newest DM to `user` with the pulse's Answer button: its message params."""
    found = server.sent("chat.postMessage", channel=user,
                        where=lambda params: ChecklistAction.AREA.value in json.dumps(params.get("blocks")))
    return found[-1].params


def elements(message: dict) -> dict[str, str]:
    """The buttons of a message: action id -> value."""
    return {e["action_id"]: e["value"] for b in message.get("blocks") or [] for e in b.get("elements") or []
            if e.get("type") == "button"}


def send_form(server, *, user: str, team: str, channel: str, value: str) -> tuple[dict, dict, str]:
    """Start the pulse, click Answer in the DM, send the form with `value` for every statement.

    The form as opened, the answer to its submission, and the DM's response_url.
    """
    server.command(f"checklist {PULSE.id}", user=user, channel=channel, team=team)
    dm = pulse_dm(server, user)
    trigger, hook = uuid.uuid4().hex, server.fake.new_response_url()
    body, ctype = payloads.block_action(ChecklistAction.AREA.value, elements(dm)[ChecklistAction.AREA.value],
                                        user_id=user, channel_id=None, team_id=team, response_url=hook,
                                        trigger_id=trigger)
    assert server.post(body, ctype).status == 200
    [opened] = server.sent("views.open", trigger_id=trigger)
    view = opened.response["view"]
    values = {f"{ChecklistBlock.QUESTION.value}:{q.id}": {INPUT: {
        "type": "radio_buttons", "selected_option": {"value": value}}} for q in PULSE.questions()}
    reply = submit_view(server, view, values, user=user, team=team)
    assert reply.status == 200
    return view, json.loads(reply.body), hook


def chart_result(server, channel: str, timeout: float = 20.0) -> dict:
    """What the job drawing the chart for `channel` recorded once done."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with server.db.read() as uow:
            found = uow.session.execute(text("SELECT result FROM outbox WHERE kind = 'report.chart' AND "
                                             "channel = :c AND state = 'done'"), {"c": channel}).scalar()
        if found:
            return json.loads(found)
        time.sleep(0.1)
    raise AssertionError(f"the chart job for {channel} never finished")


def test_a_member_answers_the_pulse_in_one_form_with_no_note_and_cannot_send_it_twice(bot_server, team, channel):
    member = fresh("UPUL")
    board_with_members(bot_server, team=team, channel=channel, members={member: "member"})
    said(bot_server, f"checklist open {PULSE.id}", team=team, channel=channel)
    view, answer, hook = send_form(bot_server, user=member, team=team, channel=channel, value="4")
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == [
        f"{ChecklistBlock.QUESTION.value}:{q.id}" for q in PULSE.questions()], "every statement in one form"
    assert "final once sent" in json.dumps(view) and "Add note" not in json.dumps(view)
    assert "your answers are counted" in json.dumps(answer["view"])
    assert "can't be shown to you again or changed" in reply_text(bot_server.responses(hook, timeout=10)[-1])
    dm = pulse_dm(bot_server, member)
    assert set(elements(dm)) == {ChecklistAction.AREA.value}, "no Add note, Add evidence, Back or Skip"

    crafted = click(bot_server, ChecklistAction.NOTE.value, elements(dm)[ChecklistAction.AREA.value], user=member,
                    team=team)
    assert "takes no notes or evidence links" in reply_text(crafted)
    _, again, _ = send_form(bot_server, user=member, team=team, channel=channel, value="1")
    assert again["response_action"] == "errors" and "final once sent" in json.dumps(again)


def test_a_pulse_closed_with_too_few_answers_posts_no_report_and_no_chart(bot_server, team, channel):
    member = fresh("UFEW")
    board_with_members(bot_server, team=team, channel=channel, members={member: "member"})
    said(bot_server, f"checklist open {PULSE.id}", team=team, channel=channel)
    send_form(bot_server, user=member, team=team, channel=channel, value="2")
    said(bot_server, f"checklist close {PULSE.id}", team=team, channel=channel)
    [withheld] = posted(bot_server, channel, "fewer than the 3 its report needs")
    assert "1 member has answered" in reply_text(withheld) and "Disagree" not in reply_text(withheld)
    assert chart_result(bot_server, channel) == {"skipped": "too few answers for a report"}
    uploads = bot_server.fake.calls("files.completeUploadExternal")
    assert not [c for c in uploads if c.params.get("channel_id") == channel]


def test_a_pulse_report_shows_each_statements_answers_on_its_scale(bot_server, team, channel):
    members = [fresh("UPR") for _ in range(3)]
    board_with_members(bot_server, team=team, channel=channel, members={m: "member" for m in members})
    said(bot_server, f"checklist open {PULSE.id}", team=team, channel=channel)
    for member, value in zip(members, ("2", "4", "4"), strict=True):
        send_form(bot_server, user=member, team=team, channel=channel, value=value)
    said(bot_server, f"checklist close {PULSE.id}", team=team, channel=channel)
    [report] = posted(bot_server, channel, "round 1 report")
    text = reply_text(report)
    assert "Strongly disagree *0* · Disagree *1* · Neither agree nor disagree *0* · Agree *2*" in text
    assert "Scores: Strongly disagree 1, Disagree 2" in text and "yes 2" not in text
    assert not any(m in json.dumps(report) for m in members)
    assert bot_server.sent("files.completeUploadExternal", timeout=20, channel_id=channel)
