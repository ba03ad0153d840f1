"""Steps for the proposal and poll end-to-end tests: propose through the modal, click, read the poll."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from prompts.ids import INPUT
from prompts.ids.polls import PollAction, PollBlock, PollCallback
from tests.e2e import payloads
from tests.e2e.conftest import BotServer, Reply
from tests.e2e.flows import CHAIR

VALUE = INPUT


def proposal_values(*, title="Joint procurement of pathology analysers", description="Share one contract.",
                    category="finance", amount="£1.2m", closes_in=timedelta(days=3), rule="consensus",
                    threshold="2/3", quorum="1/2", options=()) -> dict:
    """The proposal modal's state as a member fills it in."""
    closes = int((datetime.now(UTC) + closes_in).timestamp())
    return {
        PollBlock.TITLE.value: {VALUE: payloads.plain_value(title)},
        PollBlock.DESCRIPTION.value: {VALUE: payloads.plain_value(description)},
        PollBlock.CATEGORY.value: {VALUE: payloads.selected(category)},
        PollBlock.AMOUNT.value: {VALUE: payloads.plain_value(amount)},
        PollBlock.CLOSES_AT.value: {VALUE: {"type": "datetimepicker", "selected_date_time": closes}},
        PollBlock.RULE.value: {VALUE: payloads.selected(rule)},
        PollBlock.THRESHOLD.value: {VALUE: payloads.plain_value(threshold)},
        PollBlock.QUORUM.value: {VALUE: payloads.plain_value(quorum)},
        PollBlock.OPTIONS.value: {VALUE: {"type": "checkboxes", "selected_options": [
            {"value": o, "text": {"type": "plain_text", "text": o}} for o in options]}},
    }


def submit_proposal(server: BotServer, *, team: str, channel: str, user: str = CHAIR, view: dict | None = None,
                    **values) -> Reply:
    """Open the proposal modal with `/collab propose` in `channel` (unless given one) and submit it."""
    from tests.e2e.flows import open_view, submit_view

    view = view or open_view(server, "propose", team=team, channel=channel, user=user)
    assert view["callback_id"] == PollCallback.PROPOSE.value
    return submit_view(server, view, proposal_values(**values), user=user, team=team)


def poll_posts(server: BotServer, channel: str) -> list:
    """The poll messages posted in the channel (not thread replies)."""
    return [c for c in server.fake.calls("chat.postMessage", ok_only=True)
            if c.params.get("channel") == channel and not c.params.get("thread_ts")]


def wait_for_poll(server: BotServer, channel: str, timeout: float = 5.0):
    """The first poll posted in the channel: (ts, proposal id from its buttons)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for call in poll_posts(server, channel):
            for block in call.params.get("blocks") or []:
                if block.get("block_id") == PollBlock.VOTES.value:
                    return call.response["ts"], int(block["elements"][0]["value"])
        time.sleep(0.05)
    raise AssertionError(f"no poll was posted in {channel}")


def click(server: BotServer, action: PollAction, proposal_id: int, *, user: str, team: str, channel: str,
          ts: str, response_url: str | None = None, value: str | None = None, **kwargs) -> tuple[Reply, str]:
    """Click a poll button as `user` (its value the proposal id unless given); returns the reply and response_url."""
    url = response_url or server.fake.new_response_url()
    value = str(proposal_id) if value is None else value
    body, ctype = payloads.block_action(action.value, value, user_id=user, channel_id=channel,
                                        team_id=team, message_ts=ts, block_id=PollBlock.VOTES.value,
                                        response_url=url, **kwargs)
    return server.post(body, ctype), url


def latest_render(server: BotServer, channel: str, ts: str, *, until=lambda text: True, timeout: float = 8.0) -> str:
    """The text of the newest version of the poll message, waiting until `until` holds."""
    from tests.e2e.conftest import reply_text

    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        versions = [c.params for c in server.fake.calls(ok_only=True)
                    if c.method in ("chat.update", "chat.postMessage") and c.params.get("channel") == channel
                    and (c.params.get("ts") == ts or (c.response or {}).get("ts") == ts)]
        if versions:
            text = reply_text(versions[-1])
            if until(text):
                return text
        time.sleep(0.05)
    raise AssertionError(f"the poll never showed what was expected; last version:\n{text}")
