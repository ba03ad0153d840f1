"""Checklists as a board meets them over signed HTTP: the walk-through in a DM, rounds, the report and its chart,
and the collaboration-type selector."""

from __future__ import annotations

import time
import uuid

from prompts.ids.checklists import ChecklistAction
from storage.checklist_files import shipped_templates
from tests.e2e.checklist_flow import answer, buttons, click, dm_question, tool
from tests.e2e.conftest import reply_text
from tests.e2e.flows import CHAIR, board_with_members
from tests.e2e.test_schedules import posted

DIAGNOSTIC = shipped_templates()["board-diagnostic"]


def said(server, text: str, *, team: str, channel: str, user: str = CHAIR) -> str:
    reply, url = server.command(text, user=user, channel=channel, team=team)
    assert reply.status == 200
    return reply_text(server.responses(url)[0])


def fresh(prefix: str) -> str:
    return prefix + uuid.uuid4().hex[:6].upper()


def test_a_member_walks_the_whole_diagnostic_pausing_resuming_and_changing_an_answer(bot_server, team, channel):
    member = fresh("UWALK")
    board_with_members(bot_server, team=team, channel=channel, members={member: "member"})
    assert "carries on in a DM" in said(bot_server, "checklist", team=team, channel=channel, user=member)
    message = dm_question(bot_server, member)
    questions = DIAGNOSTIC.questions()
    assert questions[0].text in reply_text(message) and "Area 1 of 6" in reply_text(message)
    assert list(buttons(message)) == ["Yes", "Partly", "No", "Not sure"]
    for _ in range(3):
        message = answer(bot_server, message, "Yes", user=member, team=team)
    assert questions[3].text in reply_text(message) and "Area 2 of 6" in reply_text(message)
    paused = click(bot_server, ChecklistAction.PAUSE.value, tool(message, ChecklistAction.PAUSE), user=member,
                   team=team)
    assert "Paused" in reply_text(paused)

    said(bot_server, "checklist", team=team, channel=channel, user=member)
    message = dm_question(bot_server, member, after=1)
    assert questions[3].text in reply_text(message), "it resumes at the first unanswered question"
    back = click(bot_server, ChecklistAction.BACK.value, tool(message, ChecklistAction.BACK), user=member, team=team)
    assert questions[2].text in reply_text(back) and "Your answer: *Yes*" in reply_text(back)
    changed = answer(bot_server, back, "No", user=member, team=team)
    assert questions[3].text in reply_text(changed), "changing an answer moves on to the first unanswered one"
    message = changed
    for _ in range(len(questions) - 3):
        message = answer(bot_server, message, "Partly", user=member, team=team)
    assert "answered every question" in reply_text(message)


def test_three_members_who_disagree_are_named_in_the_report_with_its_chart(bot_server, team, channel):
    members = [fresh("UDIS") for _ in range(3)]
    board_with_members(bot_server, team=team, channel=channel, members={m: "member" for m in members})
    assert "is open" in said(bot_server, "checklist open board-diagnostic", team=team, channel=channel)
    first = DIAGNOSTIC.questions()[0]
    for member, label in zip(members, ("Yes", "No", "No"), strict=True):
        said(bot_server, "checklist", team=team, channel=channel, user=member)
        answer(bot_server, dm_question(bot_server, member), label, user=member, team=team)
    assert "report will be posted" in said(bot_server, "checklist close", team=team, channel=channel)
    [report] = posted(bot_server, channel, "round 1 report")
    text = reply_text(report)
    assert "members disagree" in text and first.text[:60] in text
    assert "Create action" in str(report["blocks"])
    [complete] = bot_server.sent("files.completeUploadExternal", timeout=20, channel_id=channel)
    file_id = complete.params["files"][0]["id"]
    [upload] = [c for c in bot_server.fake.calls("file_upload", ok_only=True) if c.params["_path"].endswith(file_id)]
    assert upload.params["head"].startswith("89504e470d0a1a0a"), "the uploaded bytes are a PNG"


def test_any_member_runs_the_selector_and_gets_a_recommendation_with_reasons(bot_server, team, channel):
    member = fresh("USEL")
    board_with_members(bot_server, team=team, channel=channel, members={member: "member"})
    said(bot_server, "selector", team=team, channel=channel, user=member)
    message = dm_question(bot_server, member)
    while buttons(message):
        options = list(buttons(message))
        message = answer(bot_server, message, options[0], user=member, team=team)
    assert "Recommendation:" in reply_text(message) and "arrangements" in reply_text(message)
    assert "not how committed the partners are" in reply_text(message)


def test_an_action_from_a_gap_comes_due_and_its_owner_is_reminded_once(bot_server, team, channel):
    from datetime import date, timedelta

    from prompts.ids import INPUT
    from prompts.ids.checklists import ChecklistBlock
    from tests.e2e import payloads
    from tests.e2e.flows import submit_view
    from tests.e2e.test_schedules import make_due

    owner = fresh("UOWN")
    board_with_members(bot_server, team=team, channel=channel, members={owner: "member"})
    said(bot_server, "checklist open", team=team, channel=channel)
    said(bot_server, "checklist", team=team, channel=channel, user=owner)
    answer(bot_server, dm_question(bot_server, owner), "No", user=owner, team=team)
    said(bot_server, "checklist close", team=team, channel=channel)
    [report] = posted(bot_server, channel, "round 1 report")
    gap = next(b["accessory"] for b in report["blocks"] if (b.get("accessory") or {}).get("action_id")
               == ChecklistAction.CREATE_ACTION.value)
    trigger = f"{uuid.uuid4().hex}"
    body, ctype = payloads.block_action(gap["action_id"], gap["value"], user_id=CHAIR, channel_id=channel,
                                        team_id=team, block_id="gap", response_url=bot_server.fake.new_response_url(),
                                        trigger_id=trigger)
    assert bot_server.post(body, ctype).status == 200
    [opened] = bot_server.sent("views.open", trigger_id=trigger)
    due = (date.today() + timedelta(days=21)).isoformat()
    values = {ChecklistBlock.ACTION_TITLE.value: {INPUT: payloads.plain_value("Agree a scheme of delegation")},
              ChecklistBlock.ACTION_OWNER.value: {INPUT: {"type": "users_select", "selected_user": owner}},
              ChecklistBlock.ACTION_DUE.value: {INPUT: {"type": "datepicker", "selected_date": due}}}
    assert submit_view(bot_server, opened.response["view"], values, user=CHAIR, team=team).status == 200
    assert "Agree a scheme of delegation" in said(bot_server, "actions", team=team, channel=channel)
    assert make_due(bot_server, "kind = 'action.remind'") >= 1
    reminded = posted(bot_server, owner, "Reminder: *Agree a scheme of delegation*")
    assert len(reminded) == 1
    make_due(bot_server, "kind = 'action.remind'")  # nothing pending is left for it: the job ran once
    time.sleep(1.5)
    assert len(posted(bot_server, owner, "Reminder: *Agree a scheme of delegation*")) == 1, "reminded once"


def test_a_report_slack_will_not_post_is_told_to_the_chair(bot_server, team, channel):
    from tests.e2e.test_truthful_errors import announced, told

    member = fresh("UREP")
    board_with_members(bot_server, team=team, channel=channel, members={member: "member"})
    announced(bot_server, channel)
    said(bot_server, "checklist open pulse-check", team=team, channel=channel)
    bot_server.fake.fail_next("chat.postMessage", status=200, error="channel_not_found", channel=channel)
    said(bot_server, "checklist close pulse-check", team=team, channel=channel)
    text = told(bot_server, CHAIR, CHAIR,
                containing=f"couldn't post the checklist report for *pulse-check* in <#{channel}>")
    assert "channel_not_found" in text
