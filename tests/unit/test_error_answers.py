"""One place answers every failure: truthful about what was saved, and in the channel the request allows."""

from __future__ import annotations

import json
from datetime import datetime
from types import SimpleNamespace

from slack_bolt.error import BoltUnhandledRequestError
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.domain.errors import InvalidValue, NotAllowed
from bot.outbound.registry import Kind
from bot.services.uow import AlreadyHandled
from handlers.errors import answer
from prompts.ids.polls import PollCallback
from storage.db import WriterQueueTimeout
from tests.fakes import FakeDatabase
from tests.unit.test_request_parsing import CLICK, COMMAND

NOW = datetime(2026, 11, 24, 10, 0)


def deps(*, saved: bool = False):
    db = FakeDatabase(NOW).for_request("command:1.2.3")
    db.scope.committed = saved
    return SimpleNamespace(db=db, clock=db.clock)


def notices(fake) -> list[dict]:
    """The private messages queued in the outbox."""
    return [j.payload for j in fake.db.jobs(Kind.NOTICE)]


def text_of(response) -> str:
    return json.dumps(json.loads(response.body))


def test_a_refusal_to_a_command_is_answered_in_the_http_response():
    response = answer(NotAllowed("Only the chair can do that."), body=COMMAND, deps=deps())
    body = json.loads(response.body)
    assert response.status == 200 and body["response_type"] == "ephemeral"
    assert "Only the chair can do that." in body["text"]


def test_an_unexpected_failure_before_anything_saved_says_nothing_was_changed():
    assert "nothing was changed" in text_of(answer(RuntimeError("boom"), body=COMMAND, deps=deps()))


def test_an_unexpected_failure_after_a_save_says_the_change_was_saved():
    text = text_of(answer(RuntimeError("boom"), body=COMMAND, deps=deps(saved=True)))
    assert "was saved" in text and "nothing was changed" not in text


def test_a_form_error_appears_beside_its_field():
    body = {"type": "view_submission", "user": {"id": "U1", "team_id": "T1"},
            "view": {"callback_id": PollCallback.PROPOSE.value}}
    answered = json.loads(answer(InvalidValue("Give the amount in pounds.", field="amount"), body=body,
                                 deps=deps()).body)
    assert answered == {"response_action": "errors", "errors": {"amount": "Give the amount in pounds."}}


def test_a_refused_click_is_answered_privately_through_the_outbox_without_claiming_the_request():
    fake = deps()
    response = answer(NotAllowed("Observers do not vote."), body=CLICK, deps=fake)
    assert response.status == 200 and response.body == ""
    [notice] = notices(fake)
    assert notice["to"]["user_id"] == "U1" and "Observers do not vote." in notice["data"]["text"]
    assert fake.db.store.requests == {}, "a failed request's key stays unclaimed for Slack's retry"


def test_a_repeat_of_a_handled_request_is_acknowledged_and_nothing_is_said():
    fake = deps()
    response = answer(AlreadyHandled("block_actions:1.2.3"), body=CLICK, deps=fake)
    assert (response.status, response.body, notices(fake)) == (200, "", [])


def test_a_race_lost_on_a_unique_key_is_a_clear_try_again():
    error = IntegrityError("INSERT", {}, Exception("duplicate key"))
    assert "at the same moment" in text_of(answer(error, body=COMMAND, deps=deps()))


def test_a_button_with_no_listener_is_answered():
    fake = deps()
    answer(BoltUnhandledRequestError(request=None, current_response=None), body=CLICK, deps=fake)
    assert "no longer does anything" in notices(fake)[0]["data"]["text"]


DOWN = OperationalError("SELECT 1", {}, Exception("connection refused"))


def test_a_command_while_the_database_is_down_is_told_in_its_response_that_nothing_was_saved():
    response = answer(DOWN, body=COMMAND, deps=deps())
    assert response.status == 200 and "nothing was saved" in text_of(response) and "try again" in text_of(response)


def test_a_click_while_the_database_is_busy_gets_503_and_queues_nothing_in_the_outbox():
    fake = deps()
    click = {**CLICK, "response_url": None}
    response = answer(WriterQueueTimeout(), body=click, deps=fake)
    assert response.status == 503, "200 would mean saved"
    assert notices(fake) == [], "the outbox is in the database that failed"
