"""A chair sets up a board and its members through signed HTTP requests, as Slack would send them."""

from __future__ import annotations

import time

from storage.models import BoardRow, MemberRow
from tests.e2e import payloads
from tests.e2e.conftest import reply_text
from tests.e2e.flows import CHAIR, board_with_members, modal_errors, open_view, submit_setup


def test_help_lists_every_subcommand(bot_server, team, channel):
    reply, url = bot_server.command("help", user="U1", channel=channel, team=team)
    assert reply.status == 200
    [message] = bot_server.responses(url)
    text = reply_text(message)
    for sub in ("/collab setup", "/collab org add", "/collab org list", "/collab members add",
                "/collab members remove", "/collab members", "/collab report", "/collab actions",
                "/collab escalations", "/collab review-delegated"):
        assert sub in text
    assert message["response_type"] == "ephemeral"


def test_an_unknown_subcommand_gets_the_help(bot_server, team, channel):
    _, url = bot_server.command("frobnicate the board", user="U1", channel=channel, team=team)
    text = reply_text(bot_server.responses(url)[0])
    assert "I didn't understand `/collab frobnicate the board`." in text
    assert "/collab setup" in text


def test_setup_opens_a_modal_sealed_to_this_channel_and_person(bot_server, team, channel):
    view = open_view(bot_server, "setup", team=team, channel=channel)
    assert view["callback_id"] == "setup_board"
    assert f'"channel":"{channel}"' in view["private_metadata"] and f'"user":"{CHAIR}"' in view["private_metadata"]


def test_submitting_setup_creates_the_board_and_announces_it(bot_server, team, channel):
    reply = submit_setup(bot_server, team=team, channel=channel, name="North East <!channel> Directors")
    assert reply.status == 200 and modal_errors(reply) == {}
    posted = bot_server.sent("chat.postMessage", channel=channel)
    assert posted, "the board was not announced in its channel"
    text = reply_text(posted[-1].params)
    assert "&lt;!channel&gt;" in text and "<!channel>" not in text
    assert bot_server.sent("views.publish", user_id=CHAIR)


def test_a_bad_time_zone_is_an_inline_error_and_writes_nothing(bot_server, team, channel):
    boards = bot_server.count(BoardRow)
    reply = submit_setup(bot_server, team=team, channel=channel, timezone="Europe/Atlantis")
    assert reply.status == 200
    assert "time zone" in modal_errors(reply)["timezone"]
    assert bot_server.count(BoardRow) == boards


def test_a_channel_already_linked_refuses_a_second_setup(bot_server, team, channel):
    second = open_view(bot_server, "setup", team=team, channel=channel)
    submit_setup(bot_server, team=team, channel=channel)
    _, url = bot_server.command("setup", user="U9", channel=channel, team=team)
    assert "already linked" in reply_text(bot_server.responses(url)[0])
    assert "board_name" in modal_errors(submit_setup(bot_server, team=team, channel=channel, name="Second",
                                                     view=second))


def test_the_chair_adds_organisations_and_members(bot_server, team, channel):
    board_with_members(bot_server, team=team, channel=channel, members={"U2": "member", "U3": "observer"})
    _, url = bot_server.command("members", user="U2", channel=channel, team=team)
    text = reply_text(bot_server.responses(url)[0])
    assert "<@U2> (member)" in text and "<@U3> (observer)" in text and f"<@{CHAIR}> (chair)" in text
    _, url = bot_server.command("org list", user="U2", channel=channel, team=team)
    assert "Gateshead Council*: 2 board seats" in reply_text(bot_server.responses(url)[0])


def test_a_member_who_is_not_chair_is_refused_and_nothing_is_written(bot_server, team, channel):
    board_with_members(bot_server, team=team, channel=channel, members={"U2": "member"})
    members = bot_server.count(MemberRow)
    _, url = bot_server.command("members add <@U7|pat> Gateshead Council chair", user="U2",
                                channel=channel, team=team)
    [message] = bot_server.responses(url)
    assert "Only the chair or secretary" in reply_text(message) and message["response_type"] == "ephemeral"
    assert bot_server.count(MemberRow) == members


def test_removing_a_member_and_a_typing_slip_both_answer(bot_server, team, channel):
    board_with_members(bot_server, team=team, channel=channel, members={"U2": "member"})
    _, url = bot_server.command("members remove <@U2|sam>", user=CHAIR, channel=channel, team=team)
    assert "no longer a member" in reply_text(bot_server.responses(url)[0])
    _, url = bot_server.command("members add sam Gateshead Council member", user=CHAIR, channel=channel, team=team)
    assert "Usage: `/collab members add" in reply_text(bot_server.responses(url)[0])


def test_commands_in_a_channel_without_a_board_say_how_to_start(bot_server, team, channel):
    _, url = bot_server.command("members", user="U1", channel=channel, team=team)
    assert "/collab setup" in reply_text(bot_server.responses(url)[0])


def test_the_home_tab_lists_my_boards_and_role(bot_server, team, channel):
    board_with_members(bot_server, team=team, channel=channel, members={"U4": "secretary"})
    body, ctype = payloads.event({"type": "app_home_opened", "user": "U4", "channel": "D4", "tab": "home"},
                                 team_id=team)
    before = len(bot_server.sent("views.publish", timeout=0, user_id="U4"))
    assert bot_server.post(body, ctype).status == 200
    for _ in range(100):
        views = bot_server.sent("views.publish", user_id="U4")
        if len(views) > before:
            break
        time.sleep(0.05)
    text = reply_text({"blocks": views[-1].params["view"]["blocks"]})
    assert "North East Finance Directors" in text and "Secretary" in text and f"<#{channel}>" in text
