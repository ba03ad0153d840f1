"""`/collab help`: every subcommand the router accepts, in sections that fit Slack, and a word it doesn't know."""

from __future__ import annotations

import re

import pytest

from handlers.grammar.collab import ALIASES, FIRST_WORDS, SUBCOMMANDS, Help, parse
from prompts.blocks.common import MESSAGE_BLOCK_LIMIT, SECTION_LIMIT
from prompts.blocks.replies import HELP_LINES, help_message


def section_texts(reply: dict) -> list[str]:
    return [b["text"]["text"] for b in reply["blocks"] if b["type"] == "section"]


def shown(reply: dict) -> str:
    return "\n".join(section_texts(reply))


@pytest.mark.parametrize("phrase", SUBCOMMANDS)
def test_every_subcommand_the_router_accepts_appears_in_the_help(phrase):
    assert re.search(rf"`/collab {re.escape(phrase)}[` ]", shown(help_message())), phrase


def test_the_help_shows_report_actions_escalations_and_review_delegated():
    text = shown(help_message())
    for phrase in ("/collab report", "/collab actions", "/collab escalations", "/collab review-delegated"):
        assert phrase in text


def test_no_help_section_reaches_slacks_limit_and_none_is_cut():
    for reply in (help_message(), help_message("x" * 5000)):
        assert len(reply["blocks"]) <= MESSAGE_BLOCK_LIMIT
        for text in section_texts(reply):
            assert len(text) < SECTION_LIMIT and not text.endswith("…")


def test_the_help_is_grouped_in_several_sections():
    assert len(section_texts(help_message())) >= 5


def test_every_help_line_is_a_subcommand_of_the_router():
    for command, _ in HELP_LINES:
        words = command.removeprefix("/collab ").split()
        assert words[0] in FIRST_WORDS


@pytest.mark.parametrize("alias", sorted(ALIASES))
def test_each_other_word_for_a_subcommand_is_routed_like_it(alias):
    assert ALIASES[alias] in FIRST_WORDS
    assert not isinstance(parse(alias), Help)


@pytest.mark.parametrize("text", ["frobnicate", "vote now", "org frobnicate", "members frobnicate <@U1>"])
def test_a_subcommand_the_router_does_not_know_says_so(text):
    assert parse(text) == Help(unknown=text)


def test_an_unknown_subcommand_is_named_then_the_help_follows():
    reply = help_message("xyz")
    first, *rest = section_texts(reply)
    assert first.startswith("I didn't understand `/collab xyz`.")
    assert "`/collab setup`" in "\n".join(rest)


def test_the_unknown_word_is_escaped_so_it_cannot_ping_a_channel():
    reply = help_message("<!channel> `&`")
    first = section_texts(reply)[0]
    assert "<!channel>" not in first and "&lt;!channel&gt;" in first
    assert first.count("`") == 2
    assert "<!channel>" not in reply["text"]


def test_plain_help_does_not_say_anything_was_misunderstood():
    assert parse("help") == Help() and "didn't understand" not in shown(help_message())


def test_placeholders_in_the_help_are_escaped_inside_backticks():
    text = shown(help_message())
    assert "<organisation>" not in text and "`/collab chain &lt;organisation&gt;`" in text

