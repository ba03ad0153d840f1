"""After real traffic through `serve`, the keyed log verifies, its tables match it, and a saved head holds."""

from __future__ import annotations

import uuid

from prompts.ids.polls import PollAction
from storage.audit import read_events
from tests.e2e.flows import board_with_members, modal_errors
from tests.e2e.polls_flow import click, submit_proposal, wait_for_poll


def test_a_secret_ballot_over_http_logs_pseudonyms_and_verifies_against_a_saved_head(bot_server, team, channel):
    voters = [f"UAUD{uuid.uuid4().hex[:6].upper()}" for _ in range(2)]
    board_with_members(bot_server, team=team, channel=channel, members={u: "member" for u in voters})
    assert modal_errors(submit_proposal(bot_server, team=team, channel=channel, rule="majority",
                                        options=("secret",))) == {}
    ts, pid = wait_for_poll(bot_server, channel)
    for user in voters:
        click(bot_server, PollAction.VOTE_AGREE, pid, user=user, team=team, channel=channel, ts=ts)
    with bot_server.db.read() as uow:
        votes = [e.payload for e in read_events(uow.session)
                 if e.action == "vote.recorded" and e.payload["proposal_id"] == pid]
        expected = sorted(uow.audit.pseudonym(pid, user) for user in voters)
    assert sorted(p["voter"] for p in votes) == expected
    assert not [u for u in voters if u in str(votes)], "a secret ballot's audit event named its voter"

    head = bot_server.cli("audit", "head")
    assert head.returncode == 0, head.stderr
    verified = bot_server.cli("audit", "verify", "--expect-head", head.stdout.strip())
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "the tables match the audit log" in verified.stdout
