"""Slack payloads become typed requests; anything missing, malformed or tampered with is a Malformed error."""

from __future__ import annotations

import json

import pytest

from handlers import parse
from handlers.forms import Sealer, chosen, field, moment
from handlers.parse import Malformed

CLICK = {"type": "block_actions", "user": {"id": "U1", "team_id": "T1"}, "team": {"id": "T1"},
         "channel": {"id": "C1"}, "trigger_id": "1.2.3", "response_url": "https://hooks.example/1",
         "actions": [{"action_id": "vote_agree", "value": "12", "action_ts": "1.5"}]}
COMMAND = {"command": "/collab", "team_id": "T1", "user_id": "U1", "channel_id": "C1", "text": "help",
           "trigger_id": "1.2.3", "response_url": "https://hooks.example/2"}


def test_a_click_is_parsed_into_who_where_and_what():
    at, action_id, value = parse.click(CLICK)
    assert (at.team_id, at.user_id, at.channel_id, action_id, value) == ("T1", "U1", "C1", "vote_agree", "12")


@pytest.mark.parametrize("change", [
    {"actions": []}, {"actions": "x"}, {"actions": [1]}, {"actions": [{"value": "1"}]},
    {"actions": [{"action_id": 5, "value": "1"}]}, {"user": None}, {"user": {"id": "u1"}},
    {"user": {"id": "U" * 500}}, {"channel": {"id": "C1; DROP TABLE"}}, {"team": None, "user": {"id": "U1"}},
])
def test_a_click_missing_or_mangling_what_slack_always_sends_is_malformed(change):
    with pytest.raises(Malformed):
        parse.click({**CLICK, **change})


@pytest.mark.parametrize("change", [{"channel_id": ""}, {"channel_id": "C" * 5000}, {"user_id": None},
                                    {"team_id": "t1"}, {"text": ["help"]}])
def test_a_command_with_bad_ids_or_text_is_malformed(change):
    with pytest.raises(Malformed):
        parse.command({**COMMAND, **change})


@pytest.mark.parametrize("raw", ["abc", "-1", "0", "1.5", "99999999999", "", None, True, "\uff11", "1e3"])
def test_a_record_id_must_be_a_positive_ascii_integer(raw):
    with pytest.raises(Malformed):
        parse.record_id(raw)


@pytest.mark.parametrize("raw", ["12", 12])
def test_a_record_id_may_come_as_text_or_number(raw):
    assert parse.record_id(raw) == 12


def test_where_of_never_raises_on_a_broken_body():
    assert parse.where_of({"type": "block_actions", "actions": []}) is None
    assert parse.where_of({"command": "/collab"}) is None


def test_a_sealed_form_opens_with_what_was_sealed():
    sealer = Sealer(b"k" * 32)
    data = {"team": "T1", "user": "U1", "channel": "C1"}
    assert sealer.open({"private_metadata": sealer.seal(data)}) == data


@pytest.mark.parametrize("tamper", [
    lambda m: m.replace("C1", "C2"), lambda m: m[:32] + json.dumps({"channel": "C2"}), lambda m: "",
    lambda m: "x" * 5000, lambda m: None, lambda m: m[:31],
])
def test_a_tampered_or_missing_seal_is_malformed(tamper):
    sealer = Sealer(b"k" * 32)
    with pytest.raises(Malformed):
        sealer.open({"private_metadata": tamper(sealer.seal({"team": "T1", "channel": "C1"}))})


def test_a_seal_from_another_key_does_not_open():
    sealed = Sealer(b"a" * 32).seal({"channel": "C1"})
    with pytest.raises(Malformed):
        Sealer(b"b" * 32).open({"private_metadata": sealed})


def state(element) -> dict:
    return {"state": {"values": {"b": {"value": element}}}}


def test_form_fields_read_text_options_users_and_ticks():
    assert field(state({"value": "hi"}), "b") == "hi"
    assert field(state({"selected_option": {"value": "x"}}), "b") == "x"
    assert field(state({"selected_user": "U2"}), "b") == "U2"
    assert field(state({"selected_option": None}), "b") == ""
    assert field({"state": {"values": {}}}, "b") == ""
    assert chosen(state({"selected_options": [{"value": "a"}, {"value": "b"}]}), "b") == {"a", "b"}


@pytest.mark.parametrize("element", [{"value": ["x"]}, {"selected_option": {"value": 3}}, "text",
                                     {"selected_options": [{"text": "no value"}]}])
def test_a_field_of_the_wrong_shape_is_malformed(element):
    with pytest.raises(Malformed):
        field(state(element), "b") if "selected_options" not in str(element) else chosen(state(element), "b")


@pytest.mark.parametrize("stamp", ["soon", 10**20, [1], -10**15])
def test_a_datetime_that_is_not_a_time_is_malformed(stamp):
    with pytest.raises(Malformed):
        moment(state({"selected_date_time": stamp}), "b")
