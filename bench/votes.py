"""Benchmark voting against its floor: `python -m bench.votes [--members N] [--clients C] [--database-url URL]`.

In one run, against one fake Slack Web API: first the floor (a bare Bolt app that only acks, behind the same
gate, under the same gunicorn settings), then `collab-bot serve` with N seated members and one open poll.
wrk sends each server N distinct signed clicks, each once, over C keep-alive connections. Prints latency,
throughput, server CPU per request and memory for both, their ratios against the targets, and checks that
every vote landed exactly once and that the poll message ends showing the database's tally.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.fake import BenchFake
from bench.measure import Measured, measure
from bench.report import Correctness, print_report
from bench.servers import fresh_database, server_env, start, stop
from bench.wrk import require_wrk
from bot.domain.boards import Role
from bot.outbound.registry import effects_of
from bot.services.boards import add_member
from prompts.blocks.polls import POSITION_LABELS
from prompts.ids.polls import PollAction, PollBlock
from storage.db import make_engine, session_factories
from storage.uow import Database
from tests.e2e import payloads
from tests.e2e.conftest import AUDIT_KEY, BotServer, reply_text
from tests.e2e.flows import CHAIR, submit_setup
from tests.e2e.polls_flow import submit_proposal, wait_for_poll

ORG = "Gateshead Council"
MIX = [PollAction.VOTE_AGREE, PollAction.VOTE_STAND_ASIDE, PollAction.VOTE_ABSTAIN]
POSITION_OF = {PollAction.VOTE_AGREE: "agree", PollAction.VOTE_STAND_ASIDE: "stand_aside",
               PollAction.VOTE_ABSTAIN: "abstain"}
LABEL_LINE = re.compile(r"^(" + "|".join(re.escape(v) for v in POSITION_LABELS.values()) + r"): \*(\d+)\*", re.M)
VOTED_LINE = re.compile(r"\*(\d+) of (\d+) eligible members have voted\.\*")
SETTLE_SECONDS = 20


def clicks(fake: BenchFake, users: list[str], action_of, *, team: str, channel: str, ts: str, value: str):
    """One signed-to-be click body per user: (body, content type)."""
    return [payloads.block_action(action_of(u).value, value, user_id=u, channel_id=channel, team_id=team,
                                  message_ts=ts, block_id=PollBlock.VOTES.value,
                                  response_url=fake.new_response_url()) for u in users]


def setup(server: BotServer, members: list[str], team: str, channel: str) -> tuple[str, int]:
    """Board, organisation, N seated members and an open poll: (poll ts, proposal id)."""
    assert submit_setup(server, team=team, channel=channel).status == 200, "set-up modal refused"
    _, url = server.command(f"org add {ORG}", user=CHAIR, channel=channel, team=team)
    answer = reply_text(server.responses(url)[0])
    assert "is registered" in answer, answer
    for user in members:  # straight through the service layer: one HTTP command each would be slow
        change = add_member(server.db, team_id=team, channel_id=channel, actor=CHAIR, user_id=user,
                            organisation=ORG, role=Role.MEMBER, now=datetime.now(UTC))
        assert change.outcome == "added", change
    reply = submit_proposal(server, team=team, channel=channel, title="Benchmark poll", rule="majority",
                            quorum="1", closes_in=timedelta(days=3))
    assert reply.status == 200 and not reply.body, reply
    return wait_for_poll(server, channel, timeout=15)


def rendered(params: dict) -> tuple[int | None, dict[str, int]]:
    """(members shown as voted, {label: count}) read off a version of the poll message."""
    text = reply_text(params)
    voted = VOTED_LINE.search(text)
    return (int(voted.group(1)) if voted else None), {m.group(1): int(m.group(2)) for m in LABEL_LINE.finditer(text)}


def final_message(fake: BenchFake, channel: str, want: tuple[int, dict[str, int]]) -> tuple[int | None, dict]:
    """What the poll's last version shows, waiting up to SETTLE_SECONDS for it to show `want`."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        versions = fake.poll_versions(channel)
        shown = rendered(versions[-1]) if versions else (None, {})
        if shown == want or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    time.sleep(1.5)  # a redraw still on its way must not change it
    versions = fake.poll_versions(channel)
    return rendered(versions[-1]) if versions else (None, {})


def run_floor(fake: BenchFake, workdir: Path, args, bodies) -> Measured:
    """The floor's figures: warmed up, then measured under the same load as the bot."""
    server = start("floor", server_env(fake.api_url), workdir, workers=args.workers, threads=args.threads)
    try:
        return measure(server, bodies, args.clients, workdir, warmup=warmup_clicks(fake, args, "TFLOOR", "CFLOOR"))
    finally:
        stop(server.process)


def warmup_clicks(fake: BenchFake, args, team: str, channel: str, ts: str = "1.000001", value: str = "0"):
    """Clicks by people who are not members: every worker thread answers some before the timed load."""
    users = [f"UW{i:06d}" for i in range(4 * args.clients)]
    return clicks(fake, users, lambda _: PollAction.VOTE_AGREE, team=team, channel=channel, ts=ts, value=value)


def run_bot(fake: BenchFake, workdir: Path, args, members: list[str], action_of) -> tuple[Measured, Correctness]:
    """The bot's figures and what its database and poll message say afterwards."""
    team, channel = "T" + uuid.uuid4().hex[:10].upper(), "C" + uuid.uuid4().hex[:10].upper()
    database_url, backend, drop = fresh_database(args.database_url, workdir)
    server = start("bot", server_env(fake.api_url, database_url), workdir, workers=args.workers, threads=args.threads)
    engine = make_engine(database_url)
    db = Database(*session_factories(engine), audit_key=bytes.fromhex(AUDIT_KEY), effects=effects_of)
    try:
        bot = BotServer(server.url, database_url, fake, server.log_path, db, server.env)
        began = time.perf_counter()
        ts, proposal_id = setup(bot, members, team, channel)
        print(f"setup: board, organisation, {len(members)} members and poll in {time.perf_counter() - began:.1f} s "
              "(not timed)", flush=True)
        time.sleep(1.5)  # let the first render's spacing pass, so redraws during the run are all votes'
        t0 = time.monotonic()
        measured = measure(server, clicks(fake, members, action_of, team=team, channel=channel, ts=ts,
                                          value=str(proposal_id)), args.clients, workdir,
                           warmup=warmup_clicks(fake, args, team, channel, ts, str(proposal_id)))
        expected = Counter(POSITION_OF[action_of(u)] for u in members)
        want = (len(members), {POSITION_LABELS[p]: expected.get(p.value, 0) for p in POSITION_LABELS})
        shown = final_message(fake, channel, want)
        correctness = Correctness.read(db, proposal_id, members, {u: POSITION_OF[action_of(u)] for u in members},
                                       shown, backend, fake.redraw_times(channel, t0))
    finally:
        engine.dispose()
        stop(server.process)
        if args.keep_log:
            Path(args.keep_log).write_text(server.log_path.read_text())
        drop()
    return measured, correctness


def main(argv: list[str] | None = None) -> int:
    """Run the floor and the bot under the same load and print their figures against the targets."""
    parser = argparse.ArgumentParser(prog="python -m bench.votes", description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000, help="members who each vote once (default 1000)")
    parser.add_argument("--clients", type=int, default=32, help="concurrent keep-alive connections (default 32)")
    parser.add_argument("--database-url", help="default: a fresh SQLite file; postgresql URLs get a fresh schema")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker (default 8)")
    parser.add_argument("--keep-log", metavar="PATH", help="copy the bot server's log here afterwards")
    args = parser.parse_args(argv)
    require_wrk()

    members = [f"UM{i:06d}" for i in range(1, args.members + 1)]
    position = {user: MIX[i % len(MIX)] for i, user in enumerate(members)}
    with tempfile.TemporaryDirectory(prefix="bench-votes-") as tmp, BenchFake() as fake:
        workdir = Path(tmp)
        floor_users = [f"UF{i:06d}" for i in range(1, args.members + 1)]
        floor = run_floor(fake, workdir, args, clicks(fake, floor_users, lambda _: PollAction.VOTE_AGREE,
                                                      team="TFLOOR", channel="CFLOOR", ts="1.000001", value="1"))
        bot, correctness = run_bot(fake, workdir, args, members, position.get)
    return print_report(args, bot, floor, correctness)


if __name__ == "__main__":
    sys.exit(main())
