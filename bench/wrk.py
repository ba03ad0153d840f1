"""The load generator: wrk, sending each of a list of precomputed, signed requests exactly once."""

from __future__ import annotations

import shutil
import signal
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

from bench.procstat import cpu_seconds
from tests.e2e.signer import sign

SCRIPT = Path(__file__).with_name("clicks.lua")
INSTALL_HINT = ("wrk is not installed: the benchmark needs it as its load generator. On Debian or Ubuntu: "
                "sudo apt-get install -y wrk (on macOS: brew install wrk)")


@dataclass
class Load:
    """What wrk measured: counts, latency (ms) and throughput, and its own CPU time."""

    sent: int
    answered: int
    seconds: float
    p50: float
    p90: float
    p99: float
    p999: float
    max: float
    slow: int
    statuses: dict[int, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    client_cpu: float = 0.0

    @property
    def throughput(self) -> float:
        """Answers per second, from the first request sent to the last answer received."""
        return self.answered / self.seconds if self.seconds else 0.0


def require_wrk() -> str:
    """The path of wrk, or exit with how to install it."""
    path = shutil.which("wrk")
    if not path:
        raise SystemExit(INSTALL_HINT)
    return path


def write_requests(path: Path, bodies: list[tuple[bytes, str]], secret: str) -> None:
    """Sign each (body, content type) now, as Slack would, and write one request per line for clicks.lua."""
    lines = []
    for body, content_type in bodies:
        headers = sign(body, secret, content_type=content_type)
        text = body.decode()
        if "\t" in text or "\n" in text:
            raise ValueError("a request body must be URL-encoded (no tabs or newlines) to go on one line")
        lines.append("\t".join((headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"],
                                content_type, text)))
    path.write_text("\n".join(lines) + "\n")


def run_wrk(url: str, requests: Path, count: int, connections: int, *, limit_seconds: float = 300) -> Load:
    """Send the `count` requests in `requests` once each over `connections` keep-alive connections."""
    connections = max(1, min(connections, count))
    command = [require_wrk(), "-t", str(connections), "-c", str(connections), "-d", f"{int(limit_seconds)}s",
               "--timeout", "10s", "-s", str(SCRIPT), url, "--", str(requests), str(connections)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stderr: list[str] = []

    def watch():
        # Each thread says when it has its last answer; once all have, wrk only sleeps out -d: wake it.
        finished = 0
        for line in process.stderr:
            if line.strip() == "bench-thread-done":
                finished += 1
                if finished == connections:
                    process.send_signal(signal.SIGINT)
            else:
                stderr.append(line)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    out = process.stdout.read()
    client_cpu = cpu_seconds([process.pid])  # exited but not yet reaped: /proc still has its CPU time
    process.wait()
    watcher.join(timeout=5)
    if process.returncode != 0 or "bench sent" not in out:
        raise SystemExit(f"wrk failed ({process.returncode}):\n{out}{''.join(stderr)}")
    return parse(out, client_cpu=client_cpu)


def parse(out: str, *, client_cpu: float) -> Load:
    """The figures from clicks.lua's "bench <key> <value>" lines."""
    values = dict(line.split()[1:3] for line in out.splitlines() if line.startswith("bench "))
    ms = {key: float(values[f"{key}_us"]) / 1000 for key in ("p50", "p90", "p99", "p99.9", "max")}
    return Load(sent=int(values["sent"]), answered=int(values["answered"]), seconds=float(values["seconds"]),
                p50=ms["p50"], p90=ms["p90"], p99=ms["p99"], p999=ms["p99.9"], max=ms["max"], slow=int(values["slow"]),
                statuses={int(k[7:]): int(v) for k, v in values.items() if k.startswith("status_")},
                errors={k[6:]: int(v) for k, v in values.items() if k.startswith("error_") and int(v)},
                client_cpu=client_cpu)
