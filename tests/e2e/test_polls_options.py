"""Poll options as members use them (secret ballot, hidden results, one vote per organisation), the register,
escaping, and known gaps around declared interests."""

from __future__ import annotations

import csv
import io
import json
import uuid

from prompts.ids.polls import PollAction
from storage.models import ProposalRow
from tests.e2e.conftest import BotServer, reply_text
from tests.e2e.flows import CHAIR, board_with_members, modal_errors, submit_setup
from tests.e2e.polls_flow import click, latest_render, submit_proposal, wait_for_poll
from tests.e2e.test_polls_more import (
    NUMBER,
    decide_interest,
    declare_interest,
    make_due,
    object_with_reason,
    open_poll,
    outcome,
    proposal,
    vote,
)


def command(server: BotServer, text: str, *, team: str, channel: str, user: str = CHAIR) -> str:
    """Type `/collab <text>` and return the bot's ephemeral answer."""
    reply, url = server.command(text, user=user, channel=channel, team=team)
    assert reply.status == 200
    return reply_text(server.responses(url)[0])


def named_board(server: BotServer, *, team: str, channel: str, members: dict[str, str]) -> str:
    """A board with a name no other test uses (the register export finds boards by name); returns it."""
    name = f"Register Board {uuid.uuid4().hex[:8]}"
    assert modal_errors(submit_setup(server, team=team, channel=channel, name=name)) == {}
    assert "is registered" in command(server, "org add Gateshead Council", team=team, channel=channel)
    for user, role in members.items():
        assert "is now a" in command(server, f"members add <@{user}> Gateshead Council {role}", team=team,
                                     channel=channel)
    return name


def channel_messages(server: BotServer, channel: str) -> list[dict]:
    """Everything the bot posted or updated in the channel, thread replies included."""
    return [c.params for c in server.fake.calls(ok_only=True)
            if c.method in ("chat.postMessage", "chat.update") and c.params.get("channel") == channel]


def mrkdwn_texts(message: dict) -> list[str]:
    """The notification text and every mrkdwn text object in the blocks (where Slack parses mentions)."""
    found = [message.get("text") or ""]

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(node.get("text", ""))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message.get("blocks") or [])
    return found


def test_a_secret_ballot_never_names_voters_in_slack_or_the_register(bot_server, team, channel):
    voters = [f"USEC{uuid.uuid4().hex[:6].upper()}" for _ in range(3)]
    name = named_board(bot_server, team=team, channel=channel, members={u: "member" for u in voters})
    reply = submit_proposal(bot_server, team=team, channel=channel, rule="majority", options=("secret",))
    assert modal_errors(reply) == {}
    ts, pid = wait_for_poll(bot_server, channel)
    vote(bot_server, PollAction.VOTE_AGREE, pid, user=voters[0], team=team, channel=channel, ts=ts)
    vote(bot_server, PollAction.VOTE_AGREE, pid, user=voters[1], team=team, channel=channel, ts=ts)
    object_with_reason(bot_server, pid, user=voters[2], team=team, channel=channel, ts=ts,
                       reason="The business case is not ready")
    live = latest_render(bot_server, channel, ts, until=lambda t: "*3 of 4 eligible members have voted.*" in t)
    assert "counts are shown when the poll closes" in live
    assert not [word for word in ("Agree:", "Object:", "Abstain:") if word in live], "a live secret tally"
    make_due(bot_server, pid)
    text = outcome(bot_server, channel, ts)
    assert "Agreed" in text and "2 of 3 votes cast agreed." in text
    assert "Agree 2," in text and "Object 1," in text
    assert "A member (object): The business case is not ready" in text
    final = latest_render(bot_server, channel, ts, until=lambda t: NUMBER.search(t) is not None)
    assert "Agree: *2*" in final and "Object: *1*" in final and "names are never shown" in final
    sent = json.dumps(channel_messages(bot_server, channel))
    assert not [u for u in voters if u in sent], "a secret ballot named a voter in the channel"
    export = bot_server.cli("export", "decisions", "--board", name, "--format", "csv")
    assert export.returncode == 0, export.stderr
    assert not [u for u in voters if u in export.stdout], "a secret ballot named a voter in the register"
    [row] = csv.DictReader(io.StringIO(export.stdout))
    assert (row["Agree"], row["Object"], row["Outcome"]) == ("2", "1", "Agreed")
    assert row["Positions by member"] == "" and "A member (object)" in row["Objections and reservations"]


def test_a_secret_ballot_under_consensus_is_an_inline_error_on_options(bot_server, team, channel):
    board_with_members(bot_server, team=team, channel=channel, members={"U2": "member"})
    proposals = bot_server.count(ProposalRow)
    reply = submit_proposal(bot_server, team=team, channel=channel, rule="consensus", options=("secret",))
    assert "majority" in modal_errors(reply).get("options", "")
    assert bot_server.count(ProposalRow) == proposals


def test_hidden_results_show_no_positions_until_the_poll_closes(bot_server, team, channel):
    ts, pid = open_poll(bot_server, team, channel, {"U2": "member", "U3": "member"}, options=("hide_results",))
    vote(bot_server, PollAction.VOTE_AGREE, pid, user="U2", team=team, channel=channel, ts=ts)
    vote(bot_server, PollAction.VOTE_STAND_ASIDE, pid, user="U3", team=team, channel=channel, ts=ts)
    open_text = latest_render(bot_server, channel, ts, until=lambda t: "*2 of 3 eligible members have voted.*" in t)
    assert "Positions stay hidden" in open_text
    assert not [w for w in ("Agree:", "Stand aside:", "Object:", "Abstain:") if w in open_text]
    assert not [m for m in channel_messages(bot_server, channel) if "Agree: *" in reply_text(m)]
    click(bot_server, PollAction.CLOSE_NOW, pid, user=CHAIR, team=team, channel=channel, ts=ts)
    final = latest_render(bot_server, channel, ts, until=lambda t: NUMBER.search(t) is not None)
    assert "Agree: *1*  <@U2>" in final and "Stand aside: *1*  <@U3>" in final
    assert "Positions stay hidden" not in final
    assert "Agree 1," in outcome(bot_server, channel, ts)


def test_with_one_vote_per_organisation_only_the_first_vote_of_an_organisation_counts(bot_server, team, channel):
    board_with_members(bot_server, team=team, channel=channel, members={"U2": "member", "U3": "member"})
    assert "is registered" in command(bot_server, "org add Northumbria Healthcare", team=team, channel=channel)
    assert "is now a" in command(bot_server, "members add <@U4> Northumbria Healthcare member", team=team,
                                 channel=channel)
    assert modal_errors(submit_proposal(bot_server, team=team, channel=channel, options=("per_organisation",))) == {}
    ts, pid = wait_for_poll(bot_server, channel)
    vote(bot_server, PollAction.VOTE_AGREE, pid, user="U2", team=team, channel=channel, ts=ts)
    vote(bot_server, PollAction.VOTE_ABSTAIN, pid, user="U3", team=team, channel=channel, ts=ts)  # same org as U2
    vote(bot_server, PollAction.VOTE_AGREE, pid, user="U4", team=team, channel=channel, ts=ts)
    shown = latest_render(bot_server, channel, ts, until=lambda t: "*2 of 3 organisations have voted.*" in t)
    assert "Agree: *2*" in shown and "Abstain: *0*" in shown
    assert "Not counted, as their organisation's vote is cast by another member: <@U3> (abstain)" in shown
    assert "one vote per organisation" in shown
    vote(bot_server, PollAction.VOTE_AGREE, pid, user=CHAIR, team=team, channel=channel, ts=ts)
    text = outcome(bot_server, channel, ts)
    assert "Agreed" in text and "Agree 3," in text and "Abstain 0." in text
    assert proposal(bot_server, pid).outcome == "agreed"


def test_closed_decisions_are_listed_in_slack_and_exported_as_csv(bot_server, team, channel, tmp_path):
    name = named_board(bot_server, team=team, channel=channel, members={})
    assert "No decisions recorded yet" in command(bot_server, "decisions", team=team, channel=channel)
    assert modal_errors(submit_proposal(bot_server, team=team, channel=channel)) == {}
    ts, pid = wait_for_poll(bot_server, channel)
    assert "the poll has closed" in vote(bot_server, PollAction.VOTE_AGREE, pid, user=CHAIR, team=team,
                                         channel=channel, ts=ts)
    number = proposal(bot_server, pid).number
    assert number and NUMBER.fullmatch(number)
    listed = command(bot_server, "decisions", team=team, channel=channel)
    assert f"*{number}* Joint procurement of pathology analysers" in listed and "Agreed" in listed
    export = bot_server.cli("export", "decisions", "--board", name.upper(), "--format", "csv")
    assert export.returncode == 0, export.stderr
    assert export.stdout.startswith("\ufeffNumber,"), "UTF-8 with a byte-order mark, for spreadsheets"
    reader = csv.DictReader(io.StringIO(export.stdout.removeprefix("\ufeff")))
    assert {"Number", "Outcome"} <= set(reader.fieldnames)
    [row] = list(reader)
    assert (row["Number"], row["Outcome"], row["Agree"]) == (number, "Agreed", "1")
    # The fake Slack's users.info names every user "User <id>".
    assert row["Positions by member"] == f"User {CHAIR} ({CHAIR}) (Newcastle Hospitals): Agree"
    assert row["Position changes"].startswith(f"User {CHAIR} ({CHAIR}): Agree ")
    assert row["Proposed by"] == f"User {CHAIR} ({CHAIR})"
    out = tmp_path / "register.csv"
    written = bot_server.cli("export", "decisions", "--board", name, "--output", str(out))
    assert written.returncode == 0 and "wrote 1 decision to" in written.stdout
    assert out.read_text(encoding="utf-8").splitlines()[1].startswith(f"{number},")
    missing = bot_server.cli("export", "decisions", "--board", "No Such Board Anywhere", "--format", "csv")
    assert missing.returncode == 1 and missing.stdout == ""
    assert "No single board is called 'No Such Board Anywhere'" in missing.stderr


def test_mentions_and_ampersands_in_user_text_are_escaped_in_the_poll(bot_server, team, channel):
    title = "Pay <!channel> & <@U2> bonuses"
    ts, pid = open_poll(bot_server, team, channel, {"U2": "member"}, title=title,
                        description="See <https://evil.example|the plan> & <!here>")
    poll = latest_render(bot_server, channel, ts)
    assert "Pay &lt;!channel&gt; &amp; &lt;@U2&gt; bonuses" in poll
    assert "See &lt;https://evil.example|the plan&gt; &amp; &lt;!here&gt;" in poll
    click(bot_server, PollAction.CLOSE_NOW, pid, user=CHAIR, team=team, channel=channel, ts=ts)
    assert "Pay &lt;!channel&gt; &amp;" in outcome(bot_server, channel, ts)
    for message in channel_messages(bot_server, channel):
        for text in mrkdwn_texts(message):
            assert "<!channel>" not in text and "<!here>" not in text and "<https://evil" not in text
            assert " & " not in text, f"unescaped & in {text!r}"


def test_recusing_the_last_member_yet_to_vote_closes_the_poll(bot_server, team, channel):
    ts, pid = open_poll(bot_server, team, channel, {"U2": "member", "U3": "member"})
    asked = declare_interest(bot_server, pid, user="U2", team=team, channel=channel, ts=ts, reason="Related bidder")
    vote(bot_server, PollAction.VOTE_AGREE, pid, user="U3", team=team, channel=channel, ts=ts)
    vote(bot_server, PollAction.VOTE_AGREE, pid, user=CHAIR, team=team, channel=channel, ts=ts)
    decide_interest(bot_server, asked, PollAction.RECUSE, user=CHAIR, team=team, channel=channel)
    assert "*2 of 2 eligible members have voted.*" in latest_render(bot_server, channel, ts,
                                                                     until=lambda t: "(recused)" in t)
    assert proposal(bot_server, pid).status == "closed"  # README: a poll closes early when everyone eligible voted
    assert "Agreed" in outcome(bot_server, channel, ts, timeout=3)


def test_the_chairs_decision_on_an_interest_reads_as_plain_english(bot_server, team, channel):
    ts, pid = open_poll(bot_server, team, channel, {"U2": "member"})
    asked = declare_interest(bot_server, pid, user="U2", team=team, channel=channel, ts=ts, reason="Related bidder")
    text = reply_text(decide_interest(bot_server, asked, PollAction.RECUSE, user=CHAIR, team=team, channel=channel))
    assert "recused" in text and "they is" not in text
