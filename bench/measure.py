"""One server under one load: wrk's figures, and the server's CPU time and memory read from /proc."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.procstat import cpu_seconds, pss_bytes, rss_bytes, tree
from bench.servers import Server
from bench.wrk import Load, run_wrk, write_requests
from tests.e2e.conftest import SECRET


@dataclass
class Measured:
    """A server's figures under the timed load."""

    load: Load
    cpu: float  # seconds of CPU its processes used during the timed load
    rss: int  # bytes, summed over its processes after the load
    pss: int
    processes: int

    @property
    def cpu_per_request_ms(self) -> float:
        """Server CPU per answered request, in milliseconds."""
        return self.cpu / self.load.answered * 1000 if self.load.answered else float("nan")


def measure(server: Server, bodies: list[tuple[bytes, str]], clients: int, workdir: Path, *,
            warmup: list[tuple[bytes, str]]) -> Measured:
    """Send `warmup` (not measured), then every body once from `clients` connections, measuring the server."""
    requests = workdir / "requests.tsv"
    endpoint = server.url + "/slack/events"
    write_requests(requests, warmup, SECRET)
    run_wrk(endpoint, requests, len(warmup), clients)
    write_requests(requests, bodies, SECRET)  # signed now: well inside Slack's 300 s window
    pids = tree(server.process.pid)
    before = cpu_seconds(pids)
    load = run_wrk(endpoint, requests, len(bodies), clients)
    cpu = cpu_seconds(pids) - before
    pids = tree(server.process.pid)
    return Measured(load=load, cpu=cpu, rss=rss_bytes(pids), pss=pss_bytes(pids), processes=len(pids))
