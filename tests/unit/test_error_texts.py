"""Domain errors hold plain words and typed parts: Slack gets the same mrkdwn as ever, the CLI plain text."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.cli.errors import domain_error_line
from bot.domain.boards import Board, BoardKind, CollaborationType, DecisionRule, Member, Role, ensure_can_remove
from bot.domain.errors import Channel, Command, Conflict, InvalidValue, Name, NotFound, People, Person, UsageError
from bot.domain.escalation import Escalation, EscalationState
from prompts.blocks.escalations import kept
from prompts.errors import error_message, form_error, mrkdwn, plain

HOSTILE = "R&D <!channel> *Board*"
NOW = datetime(2026, 11, 24, 10, 0)


def board(name: str = "Finance Directors") -> Board:
    return Board(1, name, BoardKind.PEER_NETWORK, CollaborationType.INFORMAL, "C1", "Europe/London",
                 DecisionRule.CONSENSUS, [Member("UCHAIR", "Leeds", Role.CHAIR), Member("UMEM", "York", Role.MEMBER)])


def refusal(action, *args, **kwargs):
    with pytest.raises(Exception) as raised:
        action(*args, **kwargs)
    return raised.value


def test_a_refusal_renders_to_the_mrkdwn_it_always_had():
    error = refusal(ensure_can_remove, board(), "UCHAIR", "UNOBODY")
    assert mrkdwn(error) == "<@UNOBODY> is not a member of *Finance Directors*."


def test_the_cli_shows_the_same_refusal_in_plain_words():
    error = refusal(ensure_can_remove, board(), "UCHAIR", "UNOBODY")
    assert plain(error) == str(error) == "UNOBODY is not a member of Finance Directors."
    assert domain_error_line(error) == "collab-bot: UNOBODY is not a member of Finance Directors."


def test_each_kind_of_part_has_its_mrkdwn_and_its_plain_form():
    error = Conflict("{who} and {others} in {channel}: {board} says {command} about {typed} ({count}).",
                     who=Person("U1"), others=People(("U2", "U3", "U4")), channel=Channel("C9"),
                     board=Name("Finance"), command=Command("/collab org list"), typed="a < b", count=3)
    assert mrkdwn(error) == ("<@U1> and <@U2>, <@U3> and <@U4> in <#C9>: *Finance* says `/collab org list` "
                             "about a &lt; b (3).")
    assert plain(error) == "U1 and U2, U3 and U4 in #C9: Finance says /collab org list about a < b (3)."


def test_a_hostile_name_is_escaped_once_in_mrkdwn_and_left_as_typed_in_plain_text():
    error = NotFound("{name} is not a registered organisation. Add it first with {add}.", name=Name(HOSTILE),
                     add=Command(f"/collab org add {HOSTILE}"))
    assert mrkdwn(error) == ("*R&amp;D &lt;!channel&gt; *Board** is not a registered organisation. "
                             "Add it first with `/collab org add R&amp;D &lt;!channel&gt; *Board*`.")
    assert "&amp;amp;" not in mrkdwn(error) and "<!channel>" not in mrkdwn(error)
    assert plain(error) == f"{HOSTILE} is not a registered organisation. Add it first with /collab org add {HOSTILE}."


def test_a_board_name_with_markup_is_escaped_once_in_the_slack_reply():
    error = refusal(ensure_can_remove, board(HOSTILE), "UCHAIR", "UNOBODY")
    reply = error_message(error)
    assert reply["text"] == "<@UNOBODY> is not a member of *R&amp;D &lt;!channel&gt; *Board**."
    assert reply["blocks"][0]["text"]["text"] == ":warning: " + reply["text"]


def test_a_form_error_is_the_mrkdwn_made_plain():
    error = InvalidValue("“{raw}” is not a time zone.", raw="<b> & co", field="timezone")
    assert mrkdwn(error) == "“&lt;b&gt; &amp; co” is not a time zone."
    assert form_error(error) == "“<b> & co” is not a time zone."


def test_words_without_parts_are_shown_as_written_braces_and_all():
    assert mrkdwn(InvalidValue("Use {curly} braces.")) == plain(InvalidValue("Use {curly} braces.")) == (
        "Use {curly} braces.")


def test_a_usage_slip_carries_its_usage_line_in_both_forms():
    error = UsageError("Say who to remove.", usage="/collab members remove @person")
    assert plain(error) == "Say who to remove.\nUsage: /collab members remove @person"
    assert error_message(error)["blocks"][0]["text"]["text"] == (
        ":warning: Say who to remove.\nUsage: `/collab members remove @person`")


def test_the_domain_writes_no_slack_markup_in_a_refusal():
    esc = Escalation(1, 2, 3, "Northshire NHS Trust", None, "UPROP", 1, "Director of Finance", ("UCFO", "UDEP"), (),
                     "CBOARD", EscalationState.OPEN, NOW, None)
    error = refusal(esc.answer, user_id="USTRANGER", endorse=True, comment="", now=NOW)
    assert "<" not in error.template and "*" not in error.template
    assert mrkdwn(error) == ("Only members of <#CBOARD> who sit for Northshire NHS Trust on a board, or <@UCFO> and "
                             "<@UDEP>, can answer this request for Northshire NHS Trust (Director of Finance). "
                             "Nothing was recorded.")


@pytest.mark.parametrize(("what", "said"), [
    ({"changed": "authority", "user": "U7", "category": "R&D"}, "<@U7>'s authority for R&amp;D decisions"),
    ({"changed": "chain", "organisation": HOSTILE}, "*R&amp;D &lt;!channel&gt; *Board**'s escalation chain"),
    ({"what": "*Leeds*'s escalation chain"}, "*Leeds*'s escalation chain"),  # queued before, in mrkdwn
])
def test_the_chair_is_told_what_changed_in_mrkdwn_made_from_plain_data(what, said):
    text = kept({**what, "count": 2, "levels": ["Chief Executive"]})["text"]
    assert text.startswith(f"{said} changed while 2 requests for sign-off were waiting.")

