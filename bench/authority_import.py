"""How long `collab-bot authority import` takes on a large generated scheme (run on demand, not in the suite).

    python -m bench.authority_import [ROWS] [--dry-run-only | --import-only]

Builds a SQLite database with one board of 50 organisations and 2,000 members, writes ROWS (default 400,000)
good rows as CSV, and times the dry run and the import, printing seconds and peak memory (KiB) of each."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.domain.boards import BoardKind, CollaborationType, DecisionRule, Role
from bot.outbound.registry import effects_of
from bot.services import boards
from storage.db import make_engine, session_factories
from storage.migrate import upgrade
from storage.uow import Database

KEY = bytes(range(32))
TEAM, CHANNEL, CHAIR = "T1", "C1", "UCHAIR"
ORGS, PER_ORG = 50, 40
CATEGORIES = ("finance", "service_change", "data_sharing", "workforce", "procurement", "estates")
NOW = __import__("datetime").datetime(2026, 11, 24, 9, 0)


def build(url: str) -> None:
    """A migrated database with the board, its organisations and members."""
    engine = make_engine(url)
    upgrade(engine, audit_key=KEY)
    db = Database(*session_factories(engine), audit_key=KEY, effects=effects_of)
    boards.setup_board(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, name="Big Network",
                       kind=BoardKind.PEER_NETWORK, collaboration_type=CollaborationType.INFORMAL,
                       timezone="Europe/London", default_rule=DecisionRule.CONSENSUS, organisation="Org 0",
                       role=Role.CHAIR, now=NOW)
    for o in range(1, ORGS):
        boards.add_organisation(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, name=f"Org {o}", now=NOW)
    for o in range(ORGS):
        for m in range(PER_ORG):
            boards.add_member(db, team_id=TEAM, channel_id=CHANNEL, actor=CHAIR, user_id=f"U{o:03d}M{m:03d}",
                              organisation=f"Org {o}", role=Role.MEMBER, now=NOW)
    engine.dispose()


def write_csv(path: Path, rows: int) -> None:
    """`rows` good rows: each person and category over consecutive yearly periods."""
    with open(path, "w", encoding="utf-8") as out:
        out.write("organisation,user,category,limit,valid_from,valid_until,granted_by\n")
        n = 0
        year = 1900
        while n < rows:
            for o in range(ORGS):
                for m in range(PER_ORG):
                    for c in CATEGORIES:
                        limit = "250k" if c == "finance" else "yes"
                        out.write(f"Org {o},U{o:03d}M{m:03d},{c},{limit},{year}-04-01,{year + 1}-03-31,{CHAIR}\n")
                        n += 1
                        if n == rows:
                            return
            year += 1


def timed(*args: str, url: str) -> tuple[float, int, subprocess.CompletedProcess]:
    env = {"PATH": os.environ.get("PATH", ""), "DATABASE_URL": url, "COLLAB_AUDIT_KEY": KEY.hex()}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bot.cli", "authority", *args], env=env, capture_output=True,
                          text=True)
    took = time.perf_counter() - start
    return took, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, done


def main() -> None:
    """Build, generate, time; print the figures."""
    rows = int(next((a for a in sys.argv[1:] if a.isdigit()), "400000"))
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        build(url)
        path = Path(tmp) / "scheme.csv"
        write_csv(path, rows)
        runs = ([] if "--import-only" in sys.argv else [("dry run", "--dry-run")]) + (
            [] if "--dry-run-only" in sys.argv else [("import", None)])
        for label, flag in runs:
            took, peak, done = timed("import", str(path), *([flag] if flag else []), url=url)
            last = (done.stdout.strip().splitlines() or [""])[-1]
            print(f"{label}: {rows:,} rows in {took:.1f} s, peak RSS so far {peak:,} KiB, exit {done.returncode}: "
                  f"{last[:100]}")
            if done.stderr.strip():
                print("  stderr:", " | ".join(done.stderr.strip().splitlines()[-3:]))


if __name__ == "__main__":
    main()
