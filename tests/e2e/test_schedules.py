"""Scheduled work as a board meets it: settings, reminders before a poll closes, reviews, the weekly digest."""

from __future__ import annotations

import json
import time
from datetime import datetime

from sqlalchemy import text

from bot.services.digests import schedule_digests
from prompts.ids import INPUT
from prompts.ids.polls import PollAction
from prompts.ids.schedules import ScheduleAction, ScheduleBlock
from tests.e2e import payloads
from tests.e2e.conftest import BotServer, reply_text
from tests.e2e.flows import CHAIR, board_with_members, open_view, submit_view
from tests.e2e.polls_flow import click, submit_proposal, wait_for_poll
from tests.e2e.test_polls_options import command

S = ScheduleBlock
PAST = datetime(2000, 1, 1)


def make_due(server: BotServer, where: str, **params) -> int:
    """Bring outbox jobs matching `where` due now; how many."""
    with server.db.uow() as uow:
        moved = uow.session.execute(text(f"UPDATE outbox SET due_at = :past WHERE state = 'pending' AND {where}"),
                                    {"past": PAST, **params}).rowcount
        uow.commit()
    return moved


def posted(server: BotServer, channel: str, containing: str, timeout: float = 10.0) -> list[dict]:
    """Messages the bot posted in `channel` (or DMed, for a user id) containing `containing`, waiting for one."""
    deadline = time.monotonic() + timeout
    while True:
        found = [c.params for c in server.fake.calls("chat.postMessage", ok_only=True)
                 if c.params.get("channel") == channel and containing in reply_text(c.params)]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def settings_values(*, day="off", at="10:30", hours="48", timezone="Europe/London", skip=False) -> dict:
    return {S.TIMEZONE.value: {INPUT: payloads.plain_value(timezone)},
            S.DIGEST_DAY.value: {INPUT: payloads.selected(day)},
            S.DIGEST_AT.value: {INPUT: {"type": "timepicker", "selected_time": at}},
            S.REMINDER_HOURS.value: {INPUT: payloads.selected(hours)},
            S.WORKING_DAYS.value: {INPUT: {"type": "checkboxes", "selected_options": (
                [{"value": "skip"}] if skip else [])}}}


def test_the_chair_changes_the_boards_settings_and_a_member_cannot(bot_server, team, channel):
    board_with_members(bot_server, team=team, channel=channel, members={"U2": "member"})
    assert "Only the chair or secretary" in command(bot_server, "settings", team=team, channel=channel, user="U2")
    view = open_view(bot_server, "settings", team=team, channel=channel)
    reply = submit_view(bot_server, view, settings_values(), user=CHAIR, team=team)
    answer = json.loads(reply.body)
    assert answer["response_action"] == "update" and "no weekly digest" in reply_text(answer["view"])
    assert "48 hours before it closes" in reply_text(answer["view"])
    bad = submit_view(bot_server, view, settings_values(timezone="Mars/Olympus"), user=CHAIR, team=team)
    assert "time zone" in json.loads(bad.body)["errors"][S.TIMEZONE.value]


def test_members_who_have_not_voted_are_reminded_once_and_the_chair_sees_who(bot_server, team, channel):
    board_with_members(bot_server, team=team, channel=channel, members={"U2": "member", "U3": "member"})
    submit_proposal(bot_server, team=team, channel=channel)
    ts, pid = wait_for_poll(bot_server, channel)
    click(bot_server, PollAction.VOTE_AGREE, pid, user="U2", team=team, channel=channel, ts=ts)
    assert make_due(bot_server, "key = :key", key=f"poll.remind:{pid}") == 1
    reminder = posted(bot_server, "U3", "haven't given your position")
    assert reminder and any(b.get("type") == "actions" for b in reminder[0]["blocks"]), "with the vote buttons"
    assert posted(bot_server, CHAIR, "haven't given your position")
    assert not posted(bot_server, "U2", "haven't given your position", timeout=1), "U2 had voted"
    seen = command(bot_server, "reminders", team=team, channel=channel)
    assert "<@U3>" in seen and f"<@{CHAIR}>" in seen and "<@U2>" not in seen
    refused = command(bot_server, "reminders", team=team, channel=channel, user="U2")
    assert "can see who was reminded to vote" in refused and "can change it" not in refused


def test_a_review_is_posted_when_due_and_done_is_recorded_on_it(bot_server, team, channel):
    board_with_members(bot_server, team=team, channel=channel, members={})
    view = open_view(bot_server, "reviews add", team=team, channel=channel)
    today = datetime.now().date().isoformat()
    values = {S.REVIEW_KIND.value: {INPUT: payloads.selected("mou")},
              S.REVIEW_TITLE.value: {INPUT: payloads.plain_value("Annual review of the MoU")},
              S.STARTS_ON.value: {INPUT: {"type": "datepicker", "selected_date": today}},
              S.RECURRENCE.value: {INPUT: payloads.selected("yearly")},
              S.TELL.value: {INPUT: payloads.selected("channel")}}
    reply = submit_view(bot_server, view, values, user=CHAIR, team=team)
    assert "added" in reply_text(json.loads(reply.body)["view"])
    make_due(bot_server, "kind = 'review.due'")
    [reminder] = posted(bot_server, channel, "Annual review of the MoU* is due")
    [buttons] = [b for b in reminder["blocks"] if b.get("type") == "actions"]
    review_id = buttons["elements"][0]["value"]
    url = bot_server.fake.new_response_url()
    body, ctype = payloads.block_action(ScheduleAction.REVIEW_DONE.value, review_id, user_id=CHAIR,
                                        channel_id=channel, team_id=team, message_ts="1.1", response_url=url)
    assert bot_server.post(body, ctype).status == 200
    assert "done, recorded by" in reply_text(bot_server.responses(url)[0])
    listed = command(bot_server, "reviews", team=team, channel=channel)
    assert "Annual review of the MoU" in listed and "every year" in listed and "next" in listed


def test_the_weekly_digest_lists_open_polls_and_who_has_not_voted(bot_server, team, channel):
    board_with_members(bot_server, team=team, channel=channel, members={"U2": "member"})
    submit_proposal(bot_server, team=team, channel=channel, title="Shared bank staff pilot")
    wait_for_poll(bot_server, channel)
    schedule_digests(bot_server.db, now=datetime.utcnow())
    assert make_due(bot_server, "kind = 'board.digest' AND channel = :channel", channel=channel) == 1
    [digest] = posted(bot_server, channel, "the week of")
    shown = reply_text(digest)
    assert "Shared bank staff pilot" in shown and "2 of 2 yet to vote" in shown and "<@U2>" in shown
