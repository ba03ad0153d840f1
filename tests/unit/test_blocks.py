"""Block Kit builders stay inside Slack's limits and never let user text ping a channel."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.boards import Board, BoardKind, CollaborationType, DecisionRule, Member, Role, Seat
from bot.domain.errors import UsageError
from handlers.grammar import collab as commands
from prompts.blocks.common import MESSAGE_BLOCK_LIMIT, SECTION_LIMIT, sections
from prompts.blocks.home import HOME_BLOCK_LIMIT, home_view
from prompts.blocks.replies import (
    HELP_LINES,
    board_created,
    help_message,
    member_list,
    organisation_list,
)
from prompts.blocks.setup import setup_modal
from prompts.errors import error_message
from prompts.ids.boards import SetupBlock, SetupCallback

HOSTILE = "<!channel> & <https://evil.example|Finance>"
MORE = re.compile(r"^…and (\d+) more\.$")


def make_board(name: str = "North East Finance Network", members: list[Member] | None = None) -> Board:
    return Board(id=1, name=name, kind=BoardKind.PARTNERSHIP_BOARD, collaboration_type=CollaborationType.STRATEGIC,
                 channel_id="C0123", timezone="Europe/London", default_rule=DecisionRule.CONSENSUS,
                 members=members or [Member("UCHAIR", "Leeds Teaching Hospitals", Role.CHAIR)])


def texts(blocks: list[dict], kind: str = "mrkdwn") -> list[str]:
    """Every text object of the kind inside the blocks."""
    found = []
    for block in blocks:
        for obj in [block.get("text"), *block.get("elements", [])]:
            if obj and obj.get("type") == kind:
                found.append(obj["text"])
    return found


def section_texts(blocks: list[dict]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]


def test_500_long_lines_pack_into_at_most_max_blocks_sections_ending_with_how_many_more():
    lines = [f"{i:03d} " + "x" * 1996 for i in range(500)]
    blocks = sections(lines, max_blocks=10)
    assert len(blocks) == 10
    assert all(len(text) <= SECTION_LIMIT for text in section_texts(blocks))
    assert MORE.match(section_texts(blocks)[-1]).group(1) == "491"


def test_lines_longer_than_a_section_are_cut_to_fit():
    blocks = sections(["y" * 10_000, "z" * 10_000], max_blocks=5)
    assert [len(text) for text in section_texts(blocks)] == [SECTION_LIMIT, SECTION_LIMIT]


def test_short_lines_share_a_section():
    blocks = sections(["one", "two", "three"], max_blocks=5)
    assert section_texts(blocks) == ["one\ntwo\nthree"]


line_lists = st.lists(st.text(alphabet="ab &<>", min_size=1, max_size=4000), max_size=60)


@given(lines=line_lists, max_blocks=st.integers(min_value=1, max_value=12))
def test_sections_never_break_a_limit_and_account_for_every_line(lines, max_blocks):
    packed = section_texts(sections(lines, max_blocks=max_blocks))
    assert len(packed) <= max_blocks
    assert all(len(text) <= SECTION_LIMIT for text in packed)
    more = MORE.match(packed[-1]) if packed else None
    shown = sum(text.count("\n") + 1 for text in (packed[:-1] if more else packed))
    assert shown + (int(more.group(1)) if more else 0) == len([line for line in lines if line.strip()])


def test_a_member_list_of_300_people_from_40_organisations_fits_in_one_message():
    members = [Member(f"U{i:08d}", f"Organisation number {i % 40:02d} " + "NHS Foundation Trust " * 2,
                      list(Role)[i % 4]) for i in range(300)]
    reply = member_list(make_board(members=members))
    assert len(reply["blocks"]) <= MESSAGE_BLOCK_LIMIT
    assert all(len(text) <= SECTION_LIMIT for text in texts(reply["blocks"]))
    listed = "\n".join(section_texts(reply["blocks"]))
    assert all(f"<@{m.user_id}>" in listed for m in members)
    assert "300 members from 40 organisations" in reply["text"]


def test_the_organisation_list_stays_within_a_message_however_many_there_are():
    reply = organisation_list([(f"Organisation {i} " + "z" * 60, i % 3) for i in range(2000)])
    assert len(reply["blocks"]) <= MESSAGE_BLOCK_LIMIT
    assert MORE.match(section_texts(reply["blocks"])[-1])


def example(command: str) -> str:
    """A help line's command filled in with example values."""
    filled = command.removeprefix("/collab ").replace("@person", "<@U1>")
    filled = filled.replace("<name>", "Leeds").replace("<organisation>", "Leeds").replace("<role>", "chair")
    filled = filled.replace("@approver", "<@U1>").replace("@deputy", "<@U2>").replace("<category>", "finance")
    filled = filled.replace("<rule>", "consensus").replace("<type>", "nhs trust")
    filled = filled.replace("<new name>", "Leeds Teaching")
    filled = filled.replace("<limit>", "250k").replace("<date>", "2027-04-01")
    filled = filled.replace("[", "").replace("]", "")
    return filled.replace("<number>", "3")


def test_help_lists_every_subcommand():
    shown = {type(commands.parse(example(cmd))) for cmd, _ in HELP_LINES}
    assert shown == set(commands.Command.__args__)
    text = "\n".join(section_texts(help_message()["blocks"]))
    for words in ["help", "setup", "org add", "org list", "members", "members add", "members remove"]:
        assert f"`/collab {words}" in text


def test_help_shows_each_usage_line_of_the_parser():
    text = "\n".join(section_texts(help_message()["blocks"]))
    for usage in commands.USAGE.values():
        assert usage.split(" <")[0].split(" @")[0] in text


def seat(name: str, role: Role = Role.MEMBER) -> Seat:
    """One board on someone's Home tab."""
    return Seat(name, "C0123", BoardKind.PEER_NETWORK, role, 12)


def test_a_home_tab_with_150_boards_stays_within_100_blocks():
    view = home_view([seat(f"Board {i} " + "w" * 70, list(Role)[i % 4]) for i in range(150)])
    assert view["type"] == "home"
    assert len(view["blocks"]) <= HOME_BLOCK_LIMIT
    assert all(len(text) <= SECTION_LIMIT for text in texts(view["blocks"]))
    assert "Board 149" in "\n".join(section_texts(view["blocks"]))


def test_a_home_tab_with_thousands_of_boards_is_capped_and_says_how_many_more():
    view = home_view([seat(f"Board {i} " + "w" * 70) for i in range(5000)])
    assert len(view["blocks"]) <= HOME_BLOCK_LIMIT
    assert MORE.match(section_texts(view["blocks"])[-1])


def test_an_empty_home_tab_explains_how_to_join_a_board():
    view = home_view([])
    assert "/collab setup" in "\n".join(section_texts(view["blocks"]))


def test_the_setup_modal_fits_slacks_title_limit_and_has_every_input():
    view = setup_modal(channel_id="C0123", timezone="Europe/London", metadata="sealed-C0123")
    assert view["type"] == "modal"
    assert view["callback_id"] == SetupCallback.SETUP_BOARD
    assert len(view["title"]["text"]) <= 24
    assert len(view["submit"]["text"]) <= 24 and len(view["close"]["text"]) <= 24
    assert {b.get("block_id") for b in view["blocks"]} >= {b.value for b in SetupBlock}
    assert view["private_metadata"] == "sealed-C0123"


def test_the_setup_modal_starts_with_the_default_time_zone():
    view = setup_modal(channel_id="C0123", timezone="Europe/Belfast", metadata="sealed")
    tz = next(b for b in view["blocks"] if b.get("block_id") == SetupBlock.TIMEZONE)
    assert tz["element"]["initial_value"] == "Europe/Belfast"


@pytest.mark.parametrize("build", [
    lambda: board_created(make_board(name=HOSTILE, members=[Member("U1", HOSTILE, Role.CHAIR)])),
    lambda: member_list(make_board(name=HOSTILE, members=[Member("U1", HOSTILE, Role.CHAIR)])),
    lambda: home_view([seat(HOSTILE, Role.CHAIR)]),
    lambda: organisation_list([(HOSTILE, 1)]),
], ids=["board_created", "member_list", "home_view", "organisation_list"])
def test_a_channel_ping_in_user_text_is_escaped(build):
    reply = build()
    for text in texts(reply["blocks"]) + [reply.get("text", "")]:
        assert "<!channel>" not in text
        assert "<https://evil" not in text
    assert any("&lt;!channel&gt; &amp; &lt;https://evil.example|Finance&gt;" in t for t in texts(reply["blocks"]))


def test_a_usage_error_reply_shows_the_usage_line_escaped():
    reply = error_message(UsageError("Say who to remove.", usage=commands.USAGE["members add"]))
    text = section_texts(reply["blocks"])[0]
    assert text.startswith(":warning: Say who to remove.")
    assert "Usage: `/collab members add @person &lt;organisation&gt; &lt;chair|secretary|member|observer&gt;`" in text


def test_a_modal_error_is_plain_text_within_150_characters():
    from prompts.blocks.replies import modal_error

    assert modal_error("“*&lt;b&gt; &amp; co*” is not a `time zone`.") == "“<b> & co” is not a time zone."
    assert len(modal_error("x" * 500)) <= 150
