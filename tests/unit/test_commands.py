"""The `/collab` text parser: every subcommand, mentions, roles and usage slips."""

from __future__ import annotations

import pytest

from bot.domain.boards import Role
from bot.domain.errors import InvalidValue, UsageError
from handlers.grammar.collab import (
    USAGE,
    Decisions,
    Help,
    MembersAdd,
    MembersList,
    MembersRemove,
    OrgAdd,
    OrgList,
    Propose,
    Setup,
    parse,
)
from prompts.errors import mrkdwn


@pytest.mark.parametrize("text", ["", "   ", "help", "HELP", "help me please"])
def test_help_and_empty_text_give_help(text):
    assert parse(text) == Help()


@pytest.mark.parametrize("text", ["frobnicate", "vote now"])
def test_unknown_subcommands_give_help_naming_what_was_typed(text):
    assert parse(text) == Help(unknown=text)


@pytest.mark.parametrize("text", ["org frobnicate", "members frobnicate @sam"])
def test_an_unknown_second_word_gives_help_naming_what_was_typed(text):
    assert parse(text) == Help(unknown=text)


@pytest.mark.parametrize("text", ["setup", "Setup", "  setup  "])
def test_setup_opens_the_set_up_form(text):
    assert parse(text) == Setup()


@pytest.mark.parametrize("text", ["org", "org list", "orgs", "organisation list", "organisations", "ORG LIST"])
def test_org_and_org_list_list_the_organisations(text):
    assert parse(text) == OrgList()


def test_org_add_takes_a_one_word_name():
    assert parse("org add Nottingham") == OrgAdd(name="Nottingham")


def test_organisation_names_with_several_words_are_kept_whole():
    assert parse("org add Leeds Teaching Hospitals NHS Trust") == OrgAdd(name="Leeds Teaching Hospitals NHS Trust")


def test_org_add_keeps_the_case_of_the_name():
    assert parse("ORG ADD St George's Healthcare").name == "St George's Healthcare"


@pytest.mark.parametrize("text", ["org add", "org add   ", "organisations add"])
def test_org_add_with_no_name_is_a_usage_error(text):
    with pytest.raises(UsageError) as caught:
        parse(text)
    assert caught.value.usage == USAGE["org add"]


@pytest.mark.parametrize("text", ["members", "members list", "MEMBERS List"])
def test_members_and_members_list_list_the_board(text):
    assert parse(text) == MembersList()


@pytest.mark.parametrize(
    ("mention", "user_id"),
    [("<@U123|sam>", "U123"), ("<@U123>", "U123"), ("<@W123|x>", "W123"), ("<@U0ABC9XYZ|sam.smith>", "U0ABC9XYZ")],
)
def test_a_mention_with_or_without_a_display_name_is_parsed(mention, user_id):
    assert parse(f"members add {mention} Leeds member") == MembersAdd(user_id, "Leeds", Role.MEMBER)
    assert parse(f"members remove {mention}") == MembersRemove(user_id)


def test_members_add_takes_an_organisation_of_several_words():
    command = parse("members add <@U1|sam> Leeds Teaching Hospitals NHS Trust chair")
    assert command == MembersAdd(user_id="U1", organisation="Leeds Teaching Hospitals NHS Trust", role=Role.CHAIR)


@pytest.mark.parametrize(("raw", "role"), [("CHAIR", Role.CHAIR), ("Secretary", Role.SECRETARY),
                                           ("member", Role.MEMBER), ("oBsErVeR", Role.OBSERVER)])
def test_the_role_is_read_case_insensitively(raw, role):
    assert parse(f"members add <@U1> Leeds {raw}").role == role


def test_a_bad_role_is_an_invalid_value_listing_the_choices():
    with pytest.raises(InvalidValue) as caught:
        parse("members add <@U1> Leeds boss")
    assert caught.value.field == "role"
    assert "boss" in mrkdwn(caught.value)
    for choice in ("chair", "secretary", "member", "observer"):
        assert choice in mrkdwn(caught.value)


def test_a_bad_role_is_escaped_in_the_message():
    with pytest.raises(InvalidValue) as caught:
        parse("members add <@U1> Leeds <!channel>")
    assert "<!channel>" not in mrkdwn(caught.value)
    assert "&lt;!channel&gt;" in mrkdwn(caught.value)


@pytest.mark.parametrize("who", ["@sam", "U123", "sam", "<@sam>", "<#C123|general>", "<!channel>", "<@u123>"])
def test_anything_but_a_slack_mention_is_a_usage_error_with_the_usage_line(who):
    with pytest.raises(UsageError) as caught:
        parse(f"members add {who} Leeds member")
    assert caught.value.usage == USAGE["members add"]
    with pytest.raises(UsageError) as caught:
        parse(f"members remove {who}")
    assert caught.value.usage == USAGE["members remove"]


@pytest.mark.parametrize("text", ["members add", "members add <@U1>", "members add <@U1> chair"])
def test_members_add_with_missing_words_is_a_usage_error(text):
    with pytest.raises(UsageError) as caught:
        parse(text)
    assert caught.value.usage == USAGE["members add"]


@pytest.mark.parametrize("text", ["members remove", "members remove <@U1> please", "members remove <@U1> <@U2>"])
def test_members_remove_needs_exactly_one_mention(text):
    with pytest.raises(UsageError) as caught:
        parse(text)
    assert caught.value.usage == USAGE["members remove"]


def test_subcommand_words_are_case_insensitive_but_the_mention_is_kept():
    assert parse("Members Remove <@U9|Sam>") == MembersRemove(user_id="U9")


@pytest.mark.parametrize(("text", "title"), [
    ("propose", ""),
    ("  propose  ", ""),
    ("propose Shared pathology service", "Shared pathology service"),
    ("PROPOSE  Adopt the <!channel> & co policy ", "Adopt the <!channel> & co policy"),
])
def test_propose_keeps_everything_after_the_word_as_the_title(text, title):
    assert parse(text) == Propose(title=title)


@pytest.mark.parametrize("text", ["decisions", "Register", "decisions last 10"])
def test_decisions_and_register_list_the_decisions(text):
    assert parse(text) == Decisions()
