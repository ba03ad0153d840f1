"""mrkdwn escaping and cutting text to Slack's length limits."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.text import ELLIPSIS, cut, escape

PARTIAL_ENTITY_AT_END = re.compile(r"&[a-z]{0,3}$")
ENTITY = re.compile(r"&(amp|lt|gt);")


def test_escape_makes_a_channel_ping_inert():
    assert escape("<!channel>") == "&lt;!channel&gt;"


def test_escape_makes_a_link_and_a_user_mention_inert():
    assert escape("<https://evil.example|click> <@U123>") == "&lt;https://evil.example|click&gt; &lt;@U123&gt;"


def test_escape_turns_an_ampersand_into_an_entity():
    assert escape("Health & Care") == "Health &amp; Care"


def test_escape_does_ampersands_first_so_its_own_entities_are_not_escaped_again():
    assert escape("<") == "&lt;"
    assert escape("a<b>&c") == "a&lt;b&gt;&amp;c"


def test_escape_keeps_text_that_already_looks_like_an_entity_literal():
    assert escape("&lt;") == "&amp;lt;"


def test_escape_leaves_plain_text_alone():
    assert escape("St George's: 50% *bold* _it_ `code`") == "St George's: 50% *bold* _it_ `code`"


@given(st.text())
def test_escaped_text_has_no_angle_brackets_and_only_whole_entities(text):
    escaped = escape(text)
    assert "<" not in escaped and ">" not in escaped
    assert ENTITY.sub("", escaped).count("&") == 0


@given(st.text())
def test_escaping_can_be_undone_exactly(text):
    escaped = escape(text)
    assert escaped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == text


def test_text_within_the_limit_is_unchanged():
    assert cut("exactly ten", 11) == "exactly ten"
    assert cut("", 1) == ""


def test_cut_text_ends_in_an_ellipsis_within_the_limit():
    result = cut("The quick brown fox jumps over the lazy dog", 10)
    assert result == "The quick" + ELLIPSIS
    assert len(result) <= 10


def test_cut_never_leaves_half_an_entity():
    text = escape("Tom & Jerry")  # "Tom &amp; Jerry"
    for limit in range(1, len(text)):
        result = cut(text, limit)
        assert len(result) <= limit
        assert not PARTIAL_ENTITY_AT_END.search(result.removesuffix(ELLIPSIS))


def test_cut_keeps_a_whole_entity_that_fits_and_drops_one_that_does_not():
    assert cut("a &amp; b c d", 8) == "a &amp;" + ELLIPSIS
    assert cut("a &amp; b c d", 7) == "a" + ELLIPSIS
    assert cut("x &lt;y", 6) == "x" + ELLIPSIS


@pytest.mark.parametrize("limit", [1, 2, 150, 3000])
def test_cut_honours_slacks_limits(limit):
    assert len(cut("x" * 5000, limit)) == limit


mrkdwnish = st.text(alphabet=st.sampled_from("ab &<>;\n") | st.characters(), max_size=200)


@given(text=mrkdwnish, limit=st.integers(min_value=1, max_value=250))
def test_cut_never_exceeds_the_limit_and_adds_an_ellipsis_only_when_cutting(text, limit):
    result = cut(text, limit)
    assert len(result) <= limit
    if len(text) <= limit:
        assert result == text
    else:
        assert result.endswith(ELLIPSIS)
        assert text.startswith(result.removesuffix(ELLIPSIS))


@given(text=st.text(alphabet=st.sampled_from("ab &<>\n"), max_size=200), limit=st.integers(min_value=1, max_value=250))
def test_cut_escaped_text_never_ends_in_half_an_entity(text, limit):
    escaped = escape(text)
    kept = cut(escaped, limit).removesuffix(ELLIPSIS) if len(escaped) > limit else escaped
    assert not PARTIAL_ENTITY_AT_END.search(kept)
    assert ENTITY.sub("", kept).count("&") == 0


from bot.domain.text import article, clean, plural  # noqa: E402


@pytest.mark.parametrize("raw", ["\u200b\u200b", "\u200d", "\ufeff \u2060", "\u202e\u202d", "\x00\x07\x1b", " \t\n "])
def test_text_made_only_of_invisible_or_control_characters_cleans_to_nothing(raw):
    assert clean(raw) == ""
    assert clean(raw, multiline=True) == ""


def test_cleaning_keeps_words_and_single_spaces_them():
    assert clean("  Leeds\u200b  Teaching\tHospitals\x00 ") == "Leeds Teaching Hospitals"


def test_cleaning_a_multiline_text_keeps_its_line_breaks():
    assert clean("First line\r\n\u202eSecond  line\n", multiline=True) == "First line\nSecond line"


def test_a_joiner_between_two_characters_survives_cleaning():
    family = "\U0001F468\u200d\U0001F469"
    assert clean(family) == family
    assert clean("\u200dx") == "x"


@given(st.text())
def test_cleaned_text_never_holds_a_control_or_format_character(raw):
    import unicodedata
    for char in clean(raw):
        assert unicodedata.category(char) not in ("Cc", "Cs") and (
            unicodedata.category(char) != "Cf" or char in "\u200c\u200d")


def test_counts_and_articles_read_as_english():
    assert plural(1, "decision") == "1 decision"
    assert plural(2, "decision") == "2 decisions"
    assert article("observer") == "an observer"
    assert article("member") == "a member"
