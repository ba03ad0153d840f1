"""The benchmark's verdict: the bot's figures beside the floor's, each ratio against its target."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select

from bench.measure import Measured
from prompts.blocks.polls import POSITION_LABELS
from storage.models import VoteHistoryRow, VoteRow
from storage.uow import Database

MB = 1024 * 1024
CPU_AT_MOST, THROUGHPUT_AT_LEAST, P99_AT_MOST, RSS_AT_MOST = 2.0, 0.5, 1.5, 1.5


@dataclass
class Correctness:
    """What the database and the poll message say once the load is over."""

    backend: str
    lost: int
    duplicated: int
    wrong: int
    recorded: int
    shown: tuple[int | None, dict[str, int]]
    in_db: tuple[int, dict[str, int]]
    redraws: list[float]

    @classmethod
    def read(cls, db: Database, proposal_id: int, members: list[str], expected: dict[str, str],
             shown: tuple[int | None, dict[str, int]], backend: str, redraws: list[float]) -> Correctness:
        """Count the proposal's votes and history rows, and compare them with what each member clicked."""
        with db.read() as uow:
            s = uow.session
            of_poll = VoteRow.proposal_id == proposal_id
            total = s.execute(select(func.count()).select_from(VoteRow).where(of_poll)).scalar_one()
            distinct = s.execute(select(func.count(func.distinct(VoteRow.user_id))).where(of_poll)).scalar_one()
            positions = dict(s.execute(select(VoteRow.user_id, VoteRow.position).where(of_poll)).all())
            history = s.execute(select(func.count()).select_from(VoteHistoryRow)
                                .where(VoteHistoryRow.proposal_id == proposal_id)).scalar_one()
        tally = Counter(positions.values())
        return cls(backend=backend, lost=sum(1 for u in members if u not in positions),
                   duplicated=(total - distinct) + max(0, history - len(members)),
                   wrong=sum(1 for u in members if u in positions and positions[u] != expected[u]),
                   recorded=total, shown=shown,
                   in_db=(total, {POSITION_LABELS[p]: tally.get(p.value, 0) for p in POSITION_LABELS}),
                   redraws=redraws)


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def _row(name: str, bot: str, floor: str, ratio: str = "", target: str = "", verdict: str = "") -> str:
    return f"{name:<30}{bot:>12}{floor:>12}{ratio:>11}   {target:<9}{verdict}"


def print_report(args, bot: Measured, floor: Measured, c: Correctness) -> int:
    """Print every figure, and each against its target; 0 when all targets are met, else 1."""
    b, f = bot.load, floor.load
    ratios = {"p99": b.p99 / f.p99, "throughput": b.throughput / f.throughput,
              "cpu": bot.cpu_per_request_ms / floor.cpu_per_request_ms, "rss": bot.rss / floor.rss}
    # A vote refused as busy (503, the voter told to try again) is not in the database but was never acked:
    # only a missing vote beyond those refusals was lost.
    refused = b.statuses.get(503, 0)
    lost = max(0, c.lost - refused)
    met = {"p99": ratios["p99"] <= P99_AT_MOST, "throughput": ratios["throughput"] >= THROUGHPUT_AT_LEAST,
           "cpu": ratios["cpu"] <= CPU_AT_MOST, "rss": ratios["rss"] <= RSS_AT_MOST,
           "lost votes": lost == 0, "duplicated votes": c.duplicated == 0}
    checks = {"every request sent once and answered 200": all(
                  m.load.sent == m.load.answered == args.members and m.load.statuses == {200: args.members}
                  for m in (bot, floor)),
              "no vote recorded with the wrong position": c.wrong == 0,
              "final poll message shows the database's tally": c.shown == c.in_db}
    print(f"\nmembers {args.members}   wrk connections {args.clients}   gunicorn {args.workers} workers x "
          f"{args.threads} threads   database {c.backend}")
    print(f"load generator: wrk, each request sent once: bot {b.sent} sent / {b.answered} answered, floor "
          f"{f.sent} / {f.answered}; wrk's own CPU per request {b.client_cpu / b.answered * 1000:.3f} ms (bot), "
          f"{f.client_cpu / f.answered * 1000:.3f} ms (floor)")
    print(_row("", "bot", "floor", "bot/floor", "target"))
    print(_row("ack latency p50 (ms)", f"{b.p50:.1f}", f"{f.p50:.1f}", f"{b.p50 / f.p50:.2f}x"))
    print(_row("ack latency p90 (ms)", f"{b.p90:.1f}", f"{f.p90:.1f}", f"{b.p90 / f.p90:.2f}x"))
    print(_row("ack latency p99 (ms)", f"{b.p99:.1f}", f"{f.p99:.1f}", f"{ratios['p99']:.2f}x",
               f"<= {P99_AT_MOST}x", _verdict(met["p99"])))
    print(_row("ack latency max (ms)", f"{b.max:.1f}", f"{f.max:.1f}", f"{b.max / f.max:.2f}x"))
    print(_row("throughput (requests/s)", f"{b.throughput:.0f}", f"{f.throughput:.0f}",
               f"{ratios['throughput']:.2f}x", f">= {THROUGHPUT_AT_LEAST}x", _verdict(met["throughput"])))
    print(_row("server CPU per request (ms)", f"{bot.cpu_per_request_ms:.2f}", f"{floor.cpu_per_request_ms:.2f}",
               f"{ratios['cpu']:.2f}x", f"<= {CPU_AT_MOST}x", _verdict(met["cpu"])))
    print(_row(f"server RSS (MB, {bot.processes}+{floor.processes} proc)", f"{bot.rss / MB:.0f}",
               f"{floor.rss / MB:.0f}", f"{ratios['rss']:.2f}x", f"<= {RSS_AT_MOST}x", _verdict(met["rss"])))
    print(_row("server PSS (MB)", f"{bot.pss / MB:.0f}", f"{floor.pss / MB:.0f}", f"{bot.pss / floor.pss:.2f}x"))
    print(_row("answers slower than 3 s", str(b.slow), str(f.slow)))
    print(_row("HTTP statuses", _statuses(b), _statuses(f)) + _errors(b, f))
    print(_row("refused as busy (503, told)", str(refused), ""))
    print(_row("lost votes (acked, not saved)", str(lost), "", "", "0", _verdict(met["lost votes"])))
    print(_row("duplicated votes", str(c.duplicated), "", "", "0", _verdict(met["duplicated votes"])))
    busiest = max((sum(1 for t in c.redraws if a <= t < a + 1.0) for a in c.redraws), default=0)
    print(f"votes recorded: {c.recorded} (expected {args.members}), wrong position: {c.wrong}; poll message "
          f"posted or updated {len(c.redraws)} times from the first click, at most {busiest} in any 1 s")
    print(f"final poll message: {c.shown[0]} voted, {c.shown[1]}")
    print(f"database's tally:   {c.in_db[0]} voted, {c.in_db[1]}")
    for name, ok in checks.items():
        print(f"{name}: {'yes' if ok else 'NO'}")
    missed = [name for name, ok in met.items() if not ok] + [name for name, ok in checks.items() if not ok]
    print(f"RESULT: {'PASS' if not missed else 'MISS (' + ', '.join(missed) + ')'}; "
          f"{sum(met.values())} of {len(met)} targets met")
    return 1 if missed else 0


def _statuses(load) -> str:
    return ",".join(f"{code}:{n}" for code, n in sorted(load.statuses.items()))


def _errors(b, f) -> str:
    errors = {"bot": b.errors, "floor": f.errors}
    return "".join(f"   {who} socket errors {e}" for who, e in errors.items() if e)
