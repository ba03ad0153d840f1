"""The fake Web API keeps what was posted where, with its metadata, answers late when asked, and refuses a method
whose scope the manifest lacks, as Slack does."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.e2e.conftest import TOKEN
from tests.e2e.fake_slack import FakeSlack, manifest_scopes

MARK = {"event_type": "collab_bot_job", "event_payload": {"job": "7:abc"}}


@pytest.fixture
def fake():
    with FakeSlack() as slack:
        yield slack


def client(fake: FakeSlack, **options) -> WebClient:
    return WebClient(token=TOKEN, base_url=fake.api_url, retry_handlers=[], **options)


def test_history_returns_a_posts_metadata_only_when_all_metadata_is_asked_for(fake):
    posted = client(fake).chat_postMessage(channel="C1", text="poll", metadata=MARK)
    plain = client(fake).conversations_history(channel="C1")["messages"]
    full = client(fake).conversations_history(channel="C1", include_all_metadata=True)["messages"]
    assert [m["ts"] for m in plain] == [posted["ts"]] and "metadata" not in plain[0]
    assert full[0]["metadata"] == MARK


def test_history_is_newest_first_after_oldest_and_paged(fake):
    stamps = [client(fake).chat_postMessage(channel="C1", text=str(n))["ts"] for n in range(5)]
    first = client(fake).conversations_history(channel="C1", oldest=stamps[0], limit=2)
    assert [m["text"] for m in first["messages"]] == ["4", "3"] and first["has_more"]
    rest = client(fake).conversations_history(channel="C1", oldest=stamps[0], limit=2,
                                              cursor=first["response_metadata"]["next_cursor"])
    assert [m["text"] for m in rest["messages"]] == ["2", "1"] and not rest["has_more"]


def test_a_post_to_a_person_lands_in_the_dm_that_conversations_open_names(fake):
    posted = client(fake).chat_postMessage(channel="U1", text="receipt")
    dm = client(fake).conversations_open(users="U1")["channel"]["id"]
    assert posted["channel"] == dm and dm.startswith("D")
    assert [m["text"] for m in client(fake).conversations_history(channel=dm)["messages"]] == ["receipt"]
    with pytest.raises(SlackApiError, match="channel_not_found"):
        client(fake).conversations_history(channel="U1")


def test_a_slow_answer_times_the_client_out_but_the_message_is_posted(fake):
    fake.answer_slowly("chat.postMessage", share=1.0, seconds=1.5)
    with pytest.raises(TimeoutError):
        client(fake, timeout=1).chat_postMessage(channel="C1", text="late", metadata=MARK)
    assert [m["text"] for m in fake.history("C1")] == ["late"]


def test_a_method_whose_scope_the_manifest_lacks_is_refused_with_the_scope_it_needs():
    assert "files:write" in manifest_scopes()
    with FakeSlack(scopes=manifest_scopes() - {"im:history"}) as fake:
        dm = client(fake).conversations_open(users="U1")["channel"]["id"]
        with pytest.raises(SlackApiError) as refused:
            client(fake).conversations_history(channel=dm)
    assert (refused.value.response["error"], refused.value.response["needed"]) == ("missing_scope", "im:history")
