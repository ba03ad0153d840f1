"""The e2e fake Slack Web API, made fit for load: a deep listen backlog, and the times of message calls."""

from __future__ import annotations

import time

from tests.e2e.fake_slack import FakeSlack

# socketserver listens with a backlog of 5. A loaded server opens more connections than that at once
# (each Slack call is a new connection), and Linux drops the SYN that finds the queue full: the caller
# retries it after TCP's 1 s initial timeout, which showed up as 1 s stalls of the server's requests.
BACKLOG = 1024
MESSAGE_METHODS = ("chat.postMessage", "chat.update")


class BenchFake(FakeSlack):
    """FakeSlack with a listen backlog of BACKLOG, noting when each message call for a channel arrived."""

    def __init__(self):
        super().__init__()
        self.message_times: list[tuple[float, str]] = []  # (monotonic time, channel)

    def start(self) -> BenchFake:
        """Start as FakeSlack does, then deepen the listen queue (Linux applies a second listen())."""
        super().start()
        self._server.socket.listen(BACKLOG)
        return self

    def _answer(self, method: str, p: dict) -> dict:
        if method in MESSAGE_METHODS and not p.get("thread_ts"):
            with self._lock:
                self.message_times.append((time.monotonic(), str(p.get("channel"))))
        return super()._answer(method, p)

    def poll_versions(self, channel: str) -> list[dict]:
        """Every version of the channel's top-level messages Slack accepted, posted or updated, oldest first."""
        return [c.params for c in self.calls(ok_only=True)
                if c.method in MESSAGE_METHODS and c.params.get("channel") == channel
                and not c.params.get("thread_ts")]

    def redraw_times(self, channel: str, since: float) -> list[float]:
        """When the channel's top-level messages were posted or updated, from `since` on."""
        with self._lock:
            return [at for at, where in self.message_times if where == channel and at >= since]
