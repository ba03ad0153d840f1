"""Benchmark voting through the real HTTP endpoint: `python -m bench.votes [--members N] [--clients C]`.

Starts `collab-bot serve` against a fake Slack Web API, seats N members, opens one poll, then has N members
click a vote button from C concurrent keep-alive clients, and checks every vote landed exactly once and the
poll message ends showing the database's tally.
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bot.domain.boards import Role  # noqa: E402
from bot.services.boards import add_member  # noqa: E402
from prompts.blocks.polls import POSITION_LABELS  # noqa: E402
from prompts.ids import PollAction, PollBlock  # noqa: E402
from storage.db import make_engine, session_factories  # noqa: E402
from storage.models import VoteHistoryRow, VoteRow  # noqa: E402
from storage.uow import Database  # noqa: E402
from tests.e2e import payloads  # noqa: E402
from tests.e2e.conftest import SECRET, TOKEN, BotServer, collab_bot_command, free_port, reply_text  # noqa: E402
from tests.e2e.fake_slack import FakeSlack  # noqa: E402
from tests.e2e.flows import CHAIR, submit_setup  # noqa: E402
from tests.e2e.polls_flow import submit_proposal, wait_for_poll  # noqa: E402
from tests.e2e.signer import sign  # noqa: E402

ORG = "Gateshead Council"
MIX = [PollAction.VOTE_AGREE, PollAction.VOTE_STAND_ASIDE, PollAction.VOTE_ABSTAIN]
POSITION_OF = {PollAction.VOTE_AGREE: "agree", PollAction.VOTE_STAND_ASIDE: "stand_aside",
               PollAction.VOTE_ABSTAIN: "abstain"}
LABEL_LINE = re.compile(r"^(" + "|".join(re.escape(v) for v in POSITION_LABELS.values()) + r"): \*(\d+)\*", re.M)
VOTED_LINE = re.compile(r"\*(\d+) of (\d+) eligible members have voted\.\*")
SETTLE_SECONDS = 15


class TimedFake(FakeSlack):
    """The e2e fake Slack, also noting when each chat.update arrived."""

    def __init__(self):
        super().__init__()
        self.update_times: list[tuple[float, str]] = []

    def _answer(self, method: str, p: dict) -> dict:
        if method == "chat.update":
            with self._lock:
                self.update_times.append((time.monotonic(), str(p.get("ts"))))
        return super()._answer(method, p)


def fresh_database(url: str | None, workdir: Path) -> tuple[str, str, callable]:
    """(url, backend, drop): a fresh SQLite file, or a fresh schema in the given PostgreSQL database."""
    if url is None:
        return f"sqlite:///{workdir}/bench-{uuid.uuid4().hex[:8]}.db", "sqlite", lambda: None
    backend = make_url(url).get_backend_name()
    if backend != "postgresql":
        return url, backend, lambda: None
    schema = f"cbbench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-csearch_path={schema}')}", backend, drop


def start_server(fake: FakeSlack, database_url: str, workdir: Path, workers: int, threads: int):
    """`collab-bot serve` on a free loopback port, waited for through GET /healthz."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "COLLAB_"))}
    env.update(SLACK_SIGNING_SECRET=SECRET, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=fake.api_url,
               DATABASE_URL=database_url, COLLAB_CLOSE_CHECK_SECONDS="1")
    log_path = workdir / "serve.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen([*collab_bot_command(), "serve", "--host", "127.0.0.1", "--port", str(port),
                                    "--workers", str(workers), "--threads", str(threads)],
                                   env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return process, url, env, log_path
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise SystemExit(f"collab-bot serve did not start:\n{log_path.read_text()}")
        time.sleep(0.1)


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()  # gunicorn's arbiter takes its workers down with it
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def setup(server: BotServer, members: list[str], team: str, channel: str) -> tuple[str, int]:
    """Board, organisation, N seated members and an open poll: (poll ts, proposal id)."""
    assert submit_setup(server, team=team, channel=channel).status == 200, "set-up modal refused"
    _, url = server.command(f"org add {ORG}", user=CHAIR, channel=channel, team=team)
    answer = reply_text(server.responses(url)[0])
    assert "is registered" in answer, answer
    for user in members:  # straight through the service layer: one HTTP command each would be slow
        change = add_member(server.db, team_id=team, channel_id=channel, actor=CHAIR, user_id=user,
                            organisation=ORG, role=Role.MEMBER)
        assert change.outcome == "added", change
    reply = submit_proposal(server, team=team, channel=channel, title="Benchmark poll", rule="majority",
                            quorum="1", closes_in=timedelta(days=3))
    assert reply.status == 200 and not reply.body, reply
    return wait_for_poll(server, channel, timeout=15)


def click_all(url: str, bodies: list[bytes], clients: int) -> tuple[list[float], Counter, int, float]:
    """POST every body from `clients` keep-alive threads: (latencies, statuses, reconnects, seconds)."""
    host, port = url.removeprefix("http://").split(":")
    latencies: list[float] = []
    statuses: Counter = Counter()
    reconnects = [0]
    lock, cursor = threading.Lock(), iter(range(len(bodies)))
    start = threading.Barrier(clients + 1)

    def worker():
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        mine, codes = [], Counter()
        start.wait()
        while True:
            with lock:
                i = next(cursor, None)
            if i is None:
                break
            body = bodies[i]
            for attempt in range(3):
                headers = sign(body, SECRET, content_type=payloads.FORM)
                if attempt:
                    headers["X-Slack-Retry-Num"] = str(attempt)
                began = time.perf_counter()
                try:
                    conn.request("POST", "/slack/events", body=body, headers=headers)
                    response = conn.getresponse()
                    response.read()
                except (http.client.HTTPException, OSError):
                    conn.close()
                    with lock:
                        reconnects[0] += 1
                    continue
                mine.append(time.perf_counter() - began)
                codes[response.status] += 1
                break
            else:
                codes["failed"] += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            statuses.update(codes)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    return latencies, statuses, reconnects[0], time.perf_counter() - began


def rendered_counts(params: dict) -> tuple[int | None, dict[str, int]]:
    """(members shown as voted, {label: count}) read off a rendered poll message."""
    text_ = reply_text(params)
    voted = VOTED_LINE.search(text_)
    return (int(voted.group(1)) if voted else None), {m.group(1): int(m.group(2)) for m in LABEL_LINE.finditer(text_)}


def db_counts(db: Database, proposal_id: int) -> tuple[int, int, dict[str, str], int]:
    """(vote rows, distinct voters, {user: position}, vote history rows) for the proposal."""
    with db.read() as uow:
        s = uow.session
        rows = s.execute(select(func.count()).select_from(VoteRow).where(VoteRow.proposal_id == proposal_id))
        total = rows.scalar_one()
        distinct = s.execute(select(func.count(func.distinct(VoteRow.user_id)))
                             .where(VoteRow.proposal_id == proposal_id)).scalar_one()
        positions = dict(s.execute(select(VoteRow.user_id, VoteRow.position)
                                   .where(VoteRow.proposal_id == proposal_id)).all())
        history = s.execute(select(func.count()).select_from(VoteHistoryRow)
                            .where(VoteHistoryRow.proposal_id == proposal_id)).scalar_one()
    return total, distinct, positions, history


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of sorted values."""
    return values[max(0, math.ceil(q / 100 * len(values)) - 1)] if values else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.votes", description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000, help="members who each vote once (default 1000)")
    parser.add_argument("--clients", type=int, default=32, help="concurrent HTTP clients (default 32)")
    parser.add_argument("--database-url", help="default: a fresh SQLite file; postgresql URLs get a fresh schema")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker (default 8)")
    parser.add_argument("--keep-log", metavar="PATH", help="copy the server's log here afterwards")
    args = parser.parse_args(argv)

    team, channel = "T" + uuid.uuid4().hex[:10].upper(), "C" + uuid.uuid4().hex[:10].upper()
    members = [f"UM{i:06d}" for i in range(1, args.members + 1)]
    actions = {user: MIX[i % len(MIX)] for i, user in enumerate(members)}
    with tempfile.TemporaryDirectory(prefix="bench-votes-") as tmp, TimedFake() as fake:
        workdir = Path(tmp)
        database_url, backend, drop = fresh_database(args.database_url, workdir)
        process, url, env, log_path = start_server(fake, database_url, workdir, args.workers, args.threads)
        engine = make_engine(database_url)
        db = Database(*session_factories(engine))
        try:
            server = BotServer(url, database_url, fake, log_path, db, env)
            began = time.perf_counter()
            ts, proposal_id = setup(server, members, team, channel)
            print(f"setup: board, organisation, {args.members} members and poll in "
                  f"{time.perf_counter() - began:.1f} s (not timed)", flush=True)
            time.sleep(1.5)  # let the first render's spacing pass so updates during the run are all votes'
            bodies = [payloads.block_action(actions[u].value, str(proposal_id), user_id=u, channel_id=channel,
                                            team_id=team, message_ts=ts, block_id=PollBlock.VOTES.value,
                                            response_url=fake.new_response_url())[0] for u in members]
            updates_before = len([1 for _, t in fake.update_times if t == ts])
            t0 = time.monotonic()
            latencies, statuses, reconnects, seconds = click_all(url, bodies, args.clients)
            expected = Counter(POSITION_OF[a] for a in actions.values())
            want = {POSITION_LABELS[p]: expected.get(p.value, 0) for p in POSITION_LABELS}
            settle_deadline = time.monotonic() + SETTLE_SECONDS
            while time.monotonic() < settle_deadline:
                updates = [c.params for c in fake.calls("chat.update", ok_only=True) if c.params.get("ts") == ts]
                if updates and rendered_counts(updates[-1]) == (args.members, want):
                    break
                time.sleep(0.05)
            time.sleep(1.5)  # catch any redraw still on its way
            total, distinct, positions, history = db_counts(db, proposal_id)
            stamps = [at for at, t in fake.update_times if t == ts and at >= t0]
            updates = [c.params for c in fake.calls("chat.update", ok_only=True) if c.params.get("ts") == ts]
            shown = rendered_counts(updates[-1]) if updates else (None, {})
            db_tally = Counter(positions.values())
            db_want = {POSITION_LABELS[p]: db_tally.get(p.value, 0) for p in POSITION_LABELS}
            final_ok = shown == (total, db_want)
            failed_updates = len([c for c in fake.calls("chat.update") if not c.ok])
            receipts = sum(1 for c in fake.calls("response_url") if "Recorded" in reply_text(c.params))
        finally:
            engine.dispose()
            stop_server(process)
            if args.keep_log:
                Path(args.keep_log).write_text(log_path.read_text())
            drop()

    lost = sum(1 for u in members if u not in positions)
    wrong = sum(1 for u in members if u in positions and positions[u] != POSITION_OF[actions[u]])
    duplicated = (total - distinct) + max(0, history - args.members)
    lat = sorted(x * 1000 for x in latencies)
    window = (stamps[-1] - t0) if stamps else 0.0
    gaps = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
    busiest = max((sum(1 for s in stamps if a <= s < a + 1.0) for a in stamps), default=0)
    ok_http = statuses.get(200, 0)
    slow = sum(1 for x in lat if x > 3000)
    print(f"members: {args.members}   clients: {args.clients}   database backend: {backend}   "
          f"gunicorn: {args.workers} workers x {args.threads} threads")
    print(f"HTTP statuses:           {dict(statuses)} (reconnects/resends: {reconnects}; "
          f"acks slower than Slack's 3 s: {slow})")
    print(f"ack latency ms:          p50 {percentile(lat, 50):.1f}  p95 {percentile(lat, 95):.1f}  "
          f"p99 {percentile(lat, 99):.1f}  max {lat[-1] if lat else float('nan'):.1f}  (n={len(lat)})")
    print(f"timed phase:             {seconds:.2f} s   votes per second: {args.members / seconds:.1f}")
    print(f"votes recorded in DB:    {total} (expected {args.members}); vote history rows {history}")
    print(f"lost votes:              {lost}   duplicated votes: {duplicated}   wrong position: {wrong}   "
          f"vote receipts sent: {receipts}")
    print(f"chat.update for poll:    {len(stamps)} during/after the run ({updates_before} before; "
          f"{failed_updates} failed calls)")
    print(f"chat.update per second:  {len(stamps) / seconds:.2f} over the timed phase; "
          f"{len(stamps) / window if window else 0:.2f} from first click to last update ({window:.2f} s); "
          f"busiest 1 s window {busiest}; min gap {min(gaps) * 1000 if gaps else 0:.0f} ms")
    print(f"final tally rendered:    {shown[0]} voted, {shown[1]}")
    print(f"final tally in DB:       {total} voted, {db_want}")
    print(f"final tally matches DB:  {'yes' if final_ok else 'NO'}")
    problems = {"lost votes": lost, "wrong positions": wrong, "duplicated votes": duplicated,
                "final tally wrong": not final_ok, "acks not HTTP 200": args.members - ok_http}
    failed = [f"{name}: {int(n)}" if n is not True else name for name, n in problems.items() if n]
    print("RESULT:                  " + (f"FAIL ({'; '.join(failed)})" if failed else "PASS"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
