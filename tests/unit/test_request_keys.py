"""The de-duplication key: the same for Slack's retries of one request, different for every new one."""

from __future__ import annotations

import copy

import pytest

from handlers.deps import request_key

EVENT = {"type": "event_callback", "event_id": "Ev0123ABC", "event": {"type": "app_home_opened", "user": "U1"}}
COMMAND = {"command": "/collab", "text": "members", "user_id": "U1", "trigger_id": "111.222.aaa"}
BLOCK_ACTIONS = {"type": "block_actions", "trigger_id": "333.444.bbb", "user": {"id": "U1"},
                 "actions": [{"action_id": "x", "action_ts": "1712345678.000100"}]}
VIEW_SUBMISSION = {"type": "view_submission", "trigger_id": "555.666.ccc", "user": {"id": "U1"}}


def test_an_event_is_keyed_by_its_event_id():
    assert request_key(EVENT) == "event:Ev0123ABC"


def test_the_event_id_wins_over_a_trigger_id():
    assert request_key(EVENT | {"trigger_id": "999.999.zzz"}) == "event:Ev0123ABC"


@pytest.mark.parametrize(("body", "key"), [
    (COMMAND, "command:111.222.aaa"),
    (BLOCK_ACTIONS, "block_actions:333.444.bbb"),
    (VIEW_SUBMISSION, "view_submission:555.666.ccc"),
])
def test_commands_and_interactions_are_keyed_by_their_trigger_id(body, key):
    assert request_key(body) == key


def test_the_same_trigger_id_in_different_kinds_of_request_gives_different_keys():
    trigger = {"trigger_id": "1.2.3"}
    keys = {request_key({**body, **trigger}) for body in (COMMAND, BLOCK_ACTIONS, VIEW_SUBMISSION)}
    assert len(keys) == 3


@pytest.mark.parametrize("body", [EVENT, COMMAND, BLOCK_ACTIONS, VIEW_SUBMISSION])
def test_a_retry_of_the_same_body_gives_the_same_key(body):
    assert request_key(copy.deepcopy(body)) == request_key(body)


def test_different_triggers_give_different_keys():
    assert request_key(COMMAND) != request_key(COMMAND | {"trigger_id": "111.222.bbb"})


def test_a_block_action_without_a_trigger_id_is_keyed_by_user_and_action_time():
    body = {k: v for k, v in BLOCK_ACTIONS.items() if k != "trigger_id"}
    assert request_key(body) == "block_actions:U1:1712345678.000100"


@pytest.mark.parametrize("body", [
    {},
    {"type": "event_callback"},
    {"type": "block_actions", "user": {"id": "U1"}, "actions": []},
    {"type": "view_closed", "trigger_id": ""},
    {"event_id": "", "command": "/collab"},
])
def test_a_body_with_no_ids_has_no_key(body):
    assert request_key(body) is None
