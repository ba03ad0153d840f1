"""When Slack refuses a report or its chart for good, the chair hears about that thing and its fix (over HTTP)."""

from __future__ import annotations

import uuid

from tests.e2e.flows import CHAIR, board_with_members
from tests.e2e.test_checklists import said
from tests.e2e.test_truthful_errors import announced, told


def test_a_chart_refused_for_a_missing_scope_tells_the_chair_which_scope_to_add_and_the_log_names_the_method(
        bot_server, team, channel):
    member = "USCOPE" + uuid.uuid4().hex[:6].upper()
    board_with_members(bot_server, team=team, channel=channel, members={member: "member"})
    announced(bot_server, channel)
    said(bot_server, "checklist open board-diagnostic", team=team, channel=channel)
    with bot_server.fake.without_scope("files:write"):
        said(bot_server, "checklist close board-diagnostic", team=team, channel=channel)
        text = told(bot_server, CHAIR, CHAIR, timeout=30,
                    containing=f"couldn't post the checklist report's chart for *board-diagnostic* in <#{channel}>")
    assert "(missing_scope)" in text and "every answer in it are saved" in text
    assert "add the `files:write` scope" in text and "reinstall the app" in text
    assert "`/collab report board-diagnostic`" in text
    assert "vote" not in text, "the notice is about the report, not a proposal"
    refusals = [line for line in bot_server.log_path.read_text().splitlines() if "missing_scope" in line]
    assert any("files.getUploadURLExternal refused it" in line for line in refusals), refusals
