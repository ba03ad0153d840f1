"""Asking Slack who is in a channel (conversations.members) for channel sign-off: cached briefly, and a refusal,
never a guess, when Slack cannot say."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient

from bot.domain.errors import NotAllowed
from handlers.channel_members import MemberCache, SlackChannelMembers
from prompts.errors import mrkdwn
from tests.e2e.fake_slack import FakeSlack


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake():
    with FakeSlack() as server:
        server.channel_members["CBOARD"] = ["UIN", "UALSO"]
        yield server


def port(fake: FakeSlack, cache: MemberCache | None = None) -> SlackChannelMembers:
    client = WebClient(token="xoxb-test-token", base_url=fake.url + "/api/")
    return SlackChannelMembers(client, cache or MemberCache(), "T1")


def test_a_member_of_the_channel_is_found_and_someone_else_is_not(fake):
    members = port(fake)
    assert members.is_member("CBOARD", "UIN") and not members.is_member("CBOARD", "UOUT")


def test_the_list_is_kept_for_a_minute_then_asked_again(fake):
    ticks = Ticks()
    members = port(fake, MemberCache(ttl=60, clock=ticks))
    members.is_member("CBOARD", "UIN")
    ticks.now = 59
    members.is_member("CBOARD", "UALSO")
    assert len(fake.calls("conversations.members")) == 1
    ticks.now = 61
    members.is_member("CBOARD", "UIN")
    assert len(fake.calls("conversations.members")) == 2


@pytest.mark.parametrize("trouble", ["no channel", "no scope", "server error"])
def test_when_slack_cannot_say_the_answer_is_refused_with_what_to_do(fake, trouble):
    channel = "CPRIVATE" if trouble == "no channel" else "CBOARD"
    if trouble == "server error":
        fake.fail_next("conversations.members", status=500)
    if trouble == "no scope":
        with fake.without_scope("channels:read"), pytest.raises(NotAllowed) as refused:
            port(fake).is_member(channel, "UIN")
    else:
        with pytest.raises(NotAllowed) as refused:
            port(fake).is_member(channel, "UIN")
    assert "Slack could not confirm" in mrkdwn(refused.value) and "was not recorded" in mrkdwn(refused.value)
