"""What a person is told when Slack refuses a board's report, chart, digest or reminder for good."""

from __future__ import annotations

from prompts.blocks.delivery import digest_undelivered, reminder_undelivered, report_undelivered


def test_a_chart_refused_for_a_missing_scope_names_the_scope_and_how_to_post_it_again():
    text = report_undelivered("the checklist report's chart", "board-diagnostic", "C1", error="missing_scope",
                              needed="files:write")["text"]
    assert "couldn't post the checklist report's chart for *board-diagnostic* in <#C1> (missing_scope)" in text
    assert "add the `files:write` scope" in text and "reinstall the app" in text
    assert text.endswith("then post it again with `/collab report board-diagnostic`.")
    assert "vote" not in text


def test_a_digest_the_bot_cannot_post_in_its_channel_says_what_is_saved_not_votes():
    text = digest_undelivered("Tees & Wear <Board>", "C1", error="not_in_channel", needed=None)["text"]
    assert "the weekly digest for *Tees &amp; Wear &lt;Board&gt;*" in text
    assert "Invite me with `/invite @collab-bot` in <#C1>, then next week's digest will be posted" in text
    assert "register" in text and "vote" not in text


def test_an_unexpected_refusal_of_a_reminder_says_to_look_at_the_log():
    text = reminder_undelivered("MoU review", "C1", error="invalid_blocks", needed=None)["text"]
    assert "The review is saved." in text and "look at its log" in text and "vote" not in text
