"""Draws poll messages in the background: at most one redraw a second per poll, always ending exact."""

from __future__ import annotations

import heapq
import logging
import threading
import time

from slack_sdk.errors import SlackApiError

from bot.services import polls
from prompts.blocks.polls import outcome_message, poll_message
from storage.audit import utcnow
from storage.uow import Database

log = logging.getLogger(__name__)
RETRY_AFTER_FAILURE = 5.0


class PollPublisher:
    """Coalesces redraw requests; the database claim keeps every process to one redraw a second per poll."""

    def __init__(self, db: Database, client):
        self.db, self.client = db, client
        self._queue: list[tuple[float, int]] = []
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the drawing thread and pick up polls left behind by a restart."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="poll-publisher", daemon=True)
            self._thread.start()
        self.sweep()

    def sweep(self) -> None:
        """Queue every poll whose message lags its votes."""
        for proposal_id in polls.stale_polls(self.db):
            self.request(proposal_id)

    def request(self, proposal_id: int, delay: float = 0.0) -> None:
        """Ask for a redraw of the poll, no sooner than `delay` seconds from now."""
        with self._wake:
            heapq.heappush(self._queue, (time.monotonic() + delay, proposal_id))
            self._wake.notify()

    def _next(self) -> int:
        with self._wake:
            while True:
                if self._queue and self._queue[0][0] <= time.monotonic():
                    _, proposal_id = heapq.heappop(self._queue)
                    # Later requests for the same poll are served by this one redraw.
                    self._queue = [(at, pid) for at, pid in self._queue if pid != proposal_id]
                    heapq.heapify(self._queue)
                    return proposal_id
                timeout = self._queue[0][0] - time.monotonic() if self._queue else None
                self._wake.wait(timeout)

    def _run(self) -> None:
        while True:
            proposal_id = self._next()
            try:
                self.draw(proposal_id)
            except Exception:  # keep drawing other polls; this one is retried
                log.exception("could not draw poll %s", proposal_id)
                polls.release_render(self.db, proposal_id)
                self.request(proposal_id, RETRY_AFTER_FAILURE)

    def draw(self, proposal_id: int) -> None:
        """Claim, render and send one poll; re-queue it if it is claimed elsewhere or fell behind again."""
        now = utcnow()
        state, value = polls.claim_render(self.db, proposal_id, now=now)
        if state == "done":
            return
        if state == "wait":
            self.request(proposal_id, max(0.0, (value - now).total_seconds()))
            return
        snap = polls.read_poll(self.db, proposal_id)
        content = poll_message(snap)
        ts = snap.message_ts
        if ts is None:
            ts = self.client.chat_postMessage(channel=snap.channel_id, **content)["ts"]
        else:
            try:
                self.client.chat_update(channel=snap.channel_id, ts=ts, **content)
            except SlackApiError as exc:
                if exc.response.get("error") != "message_not_found":
                    raise
                ts = self.client.chat_postMessage(channel=snap.channel_id, **content)["ts"]
        posted = snap.outcome_posted
        if snap.outcome is not None and not posted:
            self.client.chat_postMessage(channel=snap.channel_id, thread_ts=ts, reply_broadcast=True,
                                         **outcome_message(snap))
            posted = True
        if polls.finish_render(self.db, proposal_id, value, message_ts=ts, outcome_posted=posted, now=utcnow()):
            self.request(proposal_id, polls.RENDER_SPACING.total_seconds())
