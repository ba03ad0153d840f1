"""Steps for the delegated-authority end-to-end tests: load a scheme, set chains, answer sign-off requests."""

from __future__ import annotations

import time
import uuid

from prompts.blocks.chains import slot_block
from prompts.ids import INPUT
from prompts.ids.delegation import DelegationAction, DelegationBlock
from tests.e2e import payloads
from tests.e2e.conftest import BotServer, Reply, reply_text
from tests.e2e.flows import CHAIR, open_view, submit_setup, submit_view

SECRETARY = "USECRET01"


def said(server: BotServer, text: str, *, team: str, channel: str, user: str = CHAIR) -> str:
    """Type `/collab <text>` and return the bot's answer as text."""
    reply, url = server.command(text, user=user, channel=channel, team=team)
    assert reply.status == 200
    return reply_text(server.responses(url)[0])


def scheme_board(server: BotServer, *, team: str, channel: str, members: dict[str, tuple[str, str]],
                 collaboration: str = "informal") -> str:
    """A board chaired by CHAIR (Newcastle Hospitals, unlimited finance authority set by the secretary) with
    `members` as user -> (organisation, role); every organisation named is registered. Its (unique) name."""
    name = f"Northern Partnership {uuid.uuid4().hex[:6]}"
    assert submit_setup(server, team=team, channel=channel, organisation="Newcastle Hospitals", name=name,
                        collaboration=collaboration).status == 200
    for org in sorted({org for org, _ in members.values()} - {"Newcastle Hospitals"}):
        assert "is registered" in said(server, f"org add {org}", team=team, channel=channel)
    for user, (org, role) in {SECRETARY: ("Newcastle Hospitals", "secretary"), **members}.items():
        assert "is now a" in said(server, f"members add <@{user}> {org} {role}", team=team, channel=channel)
    assert "unlimited" in said(server, f"authority set <@{CHAIR}> finance unlimited", team=team, channel=channel,
                               user=SECRETARY)
    return name


def set_chain(server: BotServer, organisation: str, levels: list[tuple[str, list[str], str, str]], *, team: str,
              channel: str) -> Reply:
    """Fill in the chain form for `organisation`: levels of (title, approvers, limit, working days)."""
    view = open_view(server, f"chain {organisation}", team=team, channel=channel)
    values: dict = {}
    for n, (title, approvers, limit, days) in enumerate(levels, start=1):
        values[slot_block(n, "title")] = {INPUT: payloads.plain_value(title)}
        values[slot_block(n, "approvers")] = {INPUT: {"type": "multi_users_select", "selected_users": approvers}}
        values[slot_block(n, "limit")] = {INPUT: payloads.plain_value(limit)}
        values[slot_block(n, "days")] = {INPUT: payloads.plain_value(days)}
    return submit_view(server, view, values, user=CHAIR, team=team)


def request_to(server: BotServer, user: str, *, containing: str = "Sign-off needed", after: int = 0,
               timeout: float = 10.0) -> tuple[int, str]:
    """The newest sign-off request DMed to `user` (past the first `after`): its escalation id and its text."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [c for c in server.fake.calls("chat.postMessage", ok_only=True)
                 if c.params.get("channel") == user and containing in reply_text(c.params)]
        if len(found) > after:
            params = found[-1].params
            buttons = next(b for b in params["blocks"] if b.get("block_id") == DelegationBlock.BUTTONS.value)
            return int(buttons["elements"][0]["value"]), reply_text(params)
        time.sleep(0.05)
    raise AssertionError(f"{user} was never sent a request containing {containing!r}")


def answer(server: BotServer, escalation_id: int, *, user: str, team: str, endorse: bool = True,
           comment: str = "") -> tuple[Reply, str]:
    """Click Endorse or Decline on a request as `user` and submit the comment form; (reply, response_url).

    When the bot refuses the click, no form opens and the reply is the click's own."""
    click, url, view = answer_form(server, escalation_id, user=user, team=team, endorse=endorse)
    if view is None:
        return click, url
    values = {DelegationBlock.COMMENT.value: {INPUT: payloads.plain_value(comment)}}
    return submit_view(server, view, values, user=user, team=team), url


def propose(server: BotServer, *, team: str, channel: str, user: str = CHAIR, marks: tuple[str, ...] = (),
            org_amounts: str = "", **values) -> Reply:
    """Put a proposal through the modal, with governance marks ticked and per-organisation amounts typed."""
    from prompts.ids.polls import PollBlock
    from tests.e2e.polls_flow import proposal_values

    view = open_view(server, "propose", team=team, channel=channel, user=user)
    state = {**proposal_values(**values),
             PollBlock.MARKS.value: {INPUT: {"type": "checkboxes", "selected_options": [
                 {"value": m, "text": {"type": "plain_text", "text": m}} for m in marks]}},
             PollBlock.ORG_AMOUNTS.value: {INPUT: payloads.plain_value(org_amounts)}}
    return submit_view(server, view, state, user=user, team=team)


def answer_form(server: BotServer, escalation_id: int, *, user: str, team: str,
                endorse: bool = True) -> tuple[Reply, str, dict | None]:
    """Click Endorse or Decline as `user`: the click's reply, its response_url, and the form opened (if any)."""
    trigger, url = f"{time.time_ns()}.{uuid.uuid4().hex}", server.fake.new_response_url()
    action = DelegationAction.ENDORSE if endorse else DelegationAction.DECLINE
    body, ctype = payloads.block_action(action.value, str(escalation_id), user_id=user, channel_id=None,
                                        team_id=team, block_id=DelegationBlock.BUTTONS.value, response_url=url,
                                        trigger_id=trigger)
    click = server.post(body, ctype)
    opened = server.sent("views.open", trigger_id=trigger, timeout=1.0)
    return click, url, opened[0].response["view"] if opened else None
