"""Benchmark the outbox dispatcher: `python -m bench.dispatch [--database-url URL] [--jobs N] [--boards B]`.

Puts N due jobs, each one chat.postMessage, in one PostgreSQL database (a throwaway schema), then has two worker
processes, each running a Dispatcher, drain them against the fake Slack Web API running in this process. Three
scenarios: the fake answering at once; the fake answering 5% of calls 429 (Retry-After 1) and 2% 500; and (`--only
slow --jobs 1000`) the fake answering 5% of posts after the client's timeout, though it posted them.

The mix: most of what the bot sends is direct messages (vote receipts, reminders to members who have not voted,
escalation requests, review reminders), each to one person; board channels get fewer posts (polls, outcomes,
digests, announcements). By default 20% are posts to the boards' channels (10 per channel) and 80% are DMs to
2,000 members (4 each). At one message a second per channel that mix can drain in about 10 s; had every job
been a channel post (50 per channel), pacing alone would take 50 s, beyond the 30 s target by design.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from bot.clock import SystemClock  # noqa: E402
from bot.domain.jobs import Job  # noqa: E402
from storage.db import make_engine, session_factories  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.uow import Database  # noqa: E402
from tests.conftest import fresh_database_url
from tests.e2e.fake_slack import FakeSlack  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TOKEN = "xoxb-test-token"
AUDIT_KEY = bytes(32)
DRAIN_TARGET = 30.0
GIVE_UP = 900.0


@dataclass
class Figures:
    """What one scenario came to."""

    name: str
    jobs: int
    drain: float
    sent: int
    duplicates: int
    missed: int
    failed: int
    calls: Counter
    busiest: int  # most messages accepted for one channel in any 1-second window
    closest: float  # the shortest time between two messages accepted for one channel
    slow: int = 0  # posts answered after the client's timeout (posted all the same)
    duplicated: tuple[int, int] = (0, 0)  # jobs posted more than once: (channel posts, DMs)


def fresh_schema(url: str) -> tuple[str, callable]:
    """A URL to an empty schema in the PostgreSQL database at `url`, and a function that drops it."""
    return fresh_database_url("postgresql", None, pg_url=url)


def jobs(count: int, *, boards: int, members: int, channel_share: float, seed: int) -> list[Job]:
    """`count` due posts, `channel_share` of them to board channels and the rest as DMs, in a shuffled order."""
    rng, now = random.Random(seed), SystemClock().now()
    posts = round(count * channel_share)
    where = [f"CB{n % boards:04d}" for n in range(posts)] + [f"UM{n % members:05d}" for n in range(count - posts)]
    rng.shuffle(where)
    return [Job("bench.post", f"bench:{n}", now, {"text": f"bench:{n}"}, channel) for n, channel in enumerate(where)]


def pacing(calls) -> tuple[int, float]:
    """The most calls accepted for one channel within any one second, and the closest two such calls."""
    times = defaultdict(list)
    for call in calls:
        times[call.params.get("channel")].append(call.at)
    most, closest = 0, float("inf")
    for stamps in times.values():
        stamps.sort()
        start = 0
        for end, stamp in enumerate(stamps):
            while stamp - stamps[start] >= 1.0:
                start += 1
            most = max(most, end - start + 1)
            closest = min(closest, stamp - stamps[end - 1]) if end else closest
    return most, closest


def unfinished(db: Database) -> tuple[int, int]:
    """(pending or running, failed) jobs."""
    with db.read() as uow:
        rows = dict(uow.session.execute(text("SELECT state, count(*) FROM outbox GROUP BY state")).all())
    return rows.get("pending", 0) + rows.get("running", 0), rows.get("failed", 0)


def posted_per_job(fake: FakeSlack, todo: list[Job]) -> Counter:
    """How many messages each job's text is in, read from the conversations themselves (slow answers included)."""
    return Counter(m["text"] for place in {job.channel for job in todo} for m in fake.history(place))


def scenario(name: str, args, *, share_429: float, share_500: float, share_slow: float = 0.0) -> Figures:
    """Run one scenario on a fresh schema and measure it."""
    url, drop = fresh_schema(args.database_url)
    engine = make_engine(url)
    try:
        upgrade(engine, audit_key=AUDIT_KEY)
        db = Database(*session_factories(engine), audit_key=AUDIT_KEY)
        with FakeSlack({TOKEN}) as fake:
            if share_429:
                fake.fail_randomly("chat.postMessage", share=share_429, status=429, retry_after=1, seed=args.seed)
            if share_500:
                fake.fail_randomly("chat.postMessage", share=share_500, status=500)
            if share_slow:
                fake.answer_slowly("chat.postMessage", share=share_slow, seconds=args.slow_seconds, seed=args.seed)
            workers = [start_worker(url, fake.api_url, args, n) for n in range(2)]
            try:
                todo = jobs(args.jobs, boards=args.boards, members=args.members, channel_share=args.channel_share,
                            seed=args.seed)
                with db.uow() as uow:
                    for job in todo:
                        uow.outbox.add(job, now=job.due_at)
                    uow.commit()
                began = time.monotonic()
                with engine.begin() as conn:
                    # Statistics, as autovacuum keeps them for a table in use; without them a freshly filled
                    # table gets a plan that sorts every due row on each claim.
                    conn.execute(text("ANALYZE outbox"))
                while unfinished(db)[0] and time.monotonic() - began < GIVE_UP:
                    time.sleep(0.05)
                drain = time.monotonic() - began
            finally:
                for worker in workers:
                    worker.stdin.close()
                for worker in workers:
                    worker.wait(60)
            ok = fake.calls("chat.postMessage", ok_only=True)
            every = fake.calls("chat.postMessage")
            sent = posted_per_job(fake, todo)
        twice = {text for text, n in sent.items() if n > 1}
        where = {job.key: job.channel for job in todo}
        duplicated = (sum(1 for t in twice if where[t].startswith("C")), sum(1 for t in twice if where[t][0] in "UD"))
        slow = sum(1 for call in every if call.late >= args.timeout)
        return Figures(name, len(todo), drain, len(sent), sum(n - 1 for n in sent.values()),
                       sum(1 for job in todo if job.key not in sent), unfinished(db)[1],
                       Counter(call.status for call in every), *pacing(ok), slow, duplicated)
    finally:
        engine.dispose()
        drop()


def start_worker(url: str, api_url: str, args, number: int) -> subprocess.Popen:
    """A worker process running one Dispatcher; it stops when its stdin closes."""
    command = [sys.executable, "-m", "bench.dispatch", "--worker", "--database-url", url, "--api-url", api_url,
               "--threads", str(args.threads), "--batch", str(args.batch), "--owner", f"worker-{number}",
               "--timeout", str(args.timeout)] + (["--without-lookup"] if args.without_lookup else [])
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                               cwd=Path(__file__).resolve().parent.parent)
    assert process.stdout.readline().strip() == "ready", "a worker did not start"
    return process


def worker(args) -> int:
    """Run one Dispatcher until stdin closes (the --worker mode)."""
    from bot.outbound.client import Sender, dispatch_client
    from bot.outbound.dispatcher import Dispatcher

    logging.getLogger("collab_bot.dispatch").setLevel(logging.ERROR)  # the figures count the failures
    client = dispatch_client(token=TOKEN, base_url=args.api_url, timeout=args.timeout)
    if args.without_lookup:  # for comparison: a plain client, posting again whatever an earlier try did
        from slack_sdk import WebClient
        client = WebClient(token=TOKEN, base_url=args.api_url, timeout=args.timeout, retry_handlers=[])

    def post(claimed):
        answer = client.chat_postMessage(channel=claimed.job.channel, text=claimed.job.payload["text"])
        return {"ts": answer["ts"]}

    db = Database(*session_factories(make_engine(args.database_url)), audit_key=AUDIT_KEY)
    dispatcher = Dispatcher(db, {"bench.post": Sender("chat.postMessage", post)}, clock=SystemClock(),
                            owner=args.owner, threads=args.threads, batch=args.batch)
    dispatcher.start()
    print("ready", flush=True)
    sys.stdin.read()
    dispatcher.stop()
    return 0


def report(figures: Figures, *, drain_target: float | None) -> None:
    """Print one scenario's figures against its targets."""
    def mark(good: bool) -> str:
        return "met" if good else "NOT MET"

    print(f"\n{figures.name}")
    target = f"target < {drain_target:.0f} s: {mark(figures.drain < drain_target)}" if drain_target else "no target"
    print(f"  drain time      {figures.drain:8.1f} s   ({target})")
    print(f"  items sent      {figures.sent:8d}     of {figures.jobs} ({figures.failed} failed)")
    print(f"  duplicates      {figures.duplicates:8d}     (target 0: {mark(figures.duplicates == 0)})")
    print(f"  missed          {figures.missed:8d}     (target 0: {mark(figures.missed == 0)})")
    print(f"  busiest channel {figures.busiest:8d}     messages in any one second (pacing: about 1); "
          f"closest two {figures.closest:.2f} s apart")
    print(f"  Slack answers   {json.dumps(dict(sorted(figures.calls.items())))}  (HTTP status: calls)")
    if figures.slow:
        print(f"  slow answers    {figures.slow:8d}     posted, but answered after the client's timeout")
        print(f"  posted twice    {figures.duplicated[0]:8d}     channel posts, {figures.duplicated[1]} DMs "
              f"(target 0: {mark(figures.duplicated == (0, 0))})")


def main(argv: list[str] | None = None) -> int:
    """Run both scenarios (or, with --worker, one dispatcher process)."""
    parser = argparse.ArgumentParser(prog="python -m bench.dispatch", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help=f"PostgreSQL (default {DEFAULT_URL})")
    parser.add_argument("--jobs", type=int, default=10_000, help="jobs to send (default 10000)")
    parser.add_argument("--boards", type=int, default=200, help="board channels (default 200)")
    parser.add_argument("--members", type=int, default=2_000, help="distinct members DMed (default 2000)")
    parser.add_argument("--channel-share", type=float, default=0.2, help="share posted in channels (default 0.2)")
    parser.add_argument("--threads", type=int, default=8, help="sending threads per worker (default 8)")
    parser.add_argument("--batch", type=int, default=32, help="jobs claimed at once (default 32)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", choices=["clean", "faults", "slow"], help="run one scenario")
    parser.add_argument("--slow", type=float, default=0.05,
                        help="share of posts answered late in the slow scenario (default 0.05)")
    parser.add_argument("--slow-seconds", type=float, default=12.0,
                        help="how late a slow answer comes (default 12)")
    parser.add_argument("--timeout", type=float, default=10.0, help="the client's timeout, seconds (default 10)")
    parser.add_argument("--without-lookup", action="store_true",
                        help="send with a plain WebClient that never looks for an earlier try's post (to compare)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--api-url", help=argparse.SUPPRESS)
    parser.add_argument("--owner", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args)
    print(f"{args.jobs} jobs: {args.channel_share:.0%} to {args.boards} board channels, the rest as DMs to "
          f"{args.members} members; 2 workers x {args.threads} threads, batches of {args.batch}; PostgreSQL")
    good = True
    if args.only in (None, "clean"):
        clean = scenario("fake Slack answering at once", args, share_429=0, share_500=0)
        report(clean, drain_target=DRAIN_TARGET)
        good &= clean.drain < DRAIN_TARGET and clean.duplicates == clean.missed == 0
    if args.only in (None, "faults"):
        faults = scenario("5% answered 429 (Retry-After 1), 2% answered 500", args, share_429=0.05, share_500=0.02)
        report(faults, drain_target=None)
        good &= faults.duplicates == faults.missed == 0
    if args.only in (None, "slow"):
        slow = scenario(f"{args.slow:.0%} answered after {args.slow_seconds:g} s (client timeout {args.timeout:g} s)",
                        args, share_429=0, share_500=0, share_slow=args.slow)
        report(slow, drain_target=None)
        good &= slow.duplicates == slow.missed == 0
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
