"""Posts whose outcome is unknown: each chat.postMessage a job sends carries the job's marker in its message
metadata, and before a job posts again where an earlier try may have posted, it looks for that marker first.

chat.postMessage takes no idempotency key. When Slack answers too late (past the client's timeout), or the
connection breaks, or it answers 5xx, the message may be posted all the same. The try is then recorded as
*unsure* in the job's result (where, and from when); the next try reads the conversation's history from then
(`conversations.history`, or `conversations.replies` for a thread; a DM's channel through
`conversations.open`) and adopts a message carrying the marker instead of posting a second one. A post that
did go through in a try that failed later is recorded with its ts and adopted without a look.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.domain.jobs import ClaimedJob
from bot.outbound.policy import is_permanent

log = logging.getLogger("collab_bot.dispatch")

EVENT_TYPE = "collab_bot_job"
UNSURE = "unsure"  # the key, in a job's kept result, of the posts earlier tries may have made
MARGIN = 60.0  # seconds looked back before a try began: Slack's clock and this machine's may differ a little
PAGES = 5  # history pages (of 200 messages) read at most while looking for a marker
_current = threading.local()


class Attempt:
    """One try of one job on a pool thread: its marker, the posts earlier tries left unsure, and this try's."""

    def __init__(self, claimed: ClaimedJob):
        earlier = (claimed.result or {}).get(UNSURE) or {}
        self.previous = {k: v for k, v in (claimed.result or {}).items() if k != UNSURE} or None
        self.marker = earlier.get("marker") or f"{claimed.id}:{uuid.uuid4().hex[:8]}"
        self.earlier: list[dict] = list(earlier.get("posts") or [])
        self.posts: list[dict] = []

    @property
    def metadata(self) -> dict:
        """The message metadata that marks a post as this job's."""
        return {"event_type": EVENT_TYPE, "event_payload": {"job": self.marker}}

    def settled(self, result: dict | None) -> dict | None:
        """The result to keep once the job is sent: nothing of its unsure posts is left to look for."""
        if result is None and (self.earlier or self.posts):
            return self.previous or {}
        return result

    def unsettled(self) -> dict | None:
        """The result to keep after a failed try: the earlier result, and every post still to look for first."""
        posts = self.earlier + self.posts
        return {**(self.previous or {}), UNSURE: {"marker": self.marker, "posts": posts}} if posts else None

    def take_earlier(self, channel: str, thread_ts: str | None) -> dict | None:
        """An earlier try's post to this place, no longer pending once taken."""
        for post in self.earlier:
            if (post["channel"], post.get("thread_ts")) == (channel, thread_ts):
                self.earlier.remove(post)
                return post
        return None


@contextmanager
def attempting(claimed: ClaimedJob) -> Iterator[Attempt]:
    """Make `claimed` the job this thread's chat.postMessage calls belong to, for the duration."""
    _current.attempt = attempt = Attempt(claimed)
    try:
        yield attempt
    finally:
        _current.attempt = None


class DispatchClient(WebClient):
    """A WebClient whose chat.postMessage marks each post with the job it is for, and never posts a job's message
    twice where an earlier try may already have posted it."""

    def chat_postMessage(self, *, channel: str, **kwargs) -> SlackResponse:  # noqa: N802 (slack-sdk's name)
        """Post, marked as the current job's; or adopt the post an earlier try of the job already made."""
        attempt: Attempt | None = getattr(_current, "attempt", None)
        if attempt is None:
            return super().chat_postMessage(channel=channel, **kwargs)
        kwargs.setdefault("metadata", attempt.metadata)
        thread_ts = kwargs.get("thread_ts")
        earlier = attempt.take_earlier(channel, thread_ts)
        try:
            found = self._find(attempt, earlier) if earlier is not None else None
        except Exception:
            if earlier is not None:
                attempt.earlier.append(earlier)  # still to look for, on the next try
            raise
        if found is not None:
            return found
        began = time.time()
        try:
            answer = super().chat_postMessage(channel=channel, **kwargs)
        except Exception as error:
            if _unknown(error):
                attempt.posts.append({"channel": channel, "thread_ts": thread_ts,
                                      "since": (earlier or {}).get("since", began)})
            raise
        attempt.posts.append({"channel": channel, "thread_ts": thread_ts, "ts": answer["ts"],
                              "in": answer.get("channel")})
        return answer

    def _find(self, attempt: Attempt, earlier: dict) -> SlackResponse | None:
        """The message an earlier try posted, if it went through."""
        if earlier.get("ts"):
            return self._adopted(earlier.get("in") or earlier["channel"], {"ts": earlier["ts"]}, "recorded")
        channel = earlier["channel"]
        try:
            if channel[:1] in "UW":  # a post to a person goes to the bot's DM with them
                channel = self.conversations_open(users=channel)["channel"]["id"]
            message = self._marked(channel, earlier.get("thread_ts"), attempt.marker,
                                   oldest=earlier["since"] - MARGIN)
        except SlackApiError as error:
            code = error.response.get("error")
            if not is_permanent(code):
                raise
            log.warning("job %s: could not look for its earlier post in %s (%s: %s, needed %s); posting again",
                        attempt.marker, channel, error.response.api_url.rsplit("/", 1)[-1], code,
                        error.response.get("needed"))
            return None
        if message is None:
            log.info("job %s: its earlier post in %s did not go through; posting it now", attempt.marker, channel)
            return None
        return self._adopted(channel, message, "found")

    def _marked(self, channel: str, thread_ts: str | None, marker: str, *, oldest: float) -> dict | None:
        """The newest message since `oldest` in the channel (or thread) that carries `marker`."""
        cursor = None
        for _ in range(PAGES):
            page: dict[str, Any] = {"cursor": cursor} if cursor else {}
            if thread_ts:
                answer = self.conversations_replies(channel=channel, ts=thread_ts, oldest=f"{oldest:.6f}",
                                                    limit=200, include_all_metadata=True, **page)
            else:
                answer = self.conversations_history(channel=channel, oldest=f"{oldest:.6f}", limit=200,
                                                    include_all_metadata=True, **page)
            for message in answer.get("messages") or []:
                meta = message.get("metadata") or {}
                if meta.get("event_type") == EVENT_TYPE and (meta.get("event_payload") or {}).get("job") == marker:
                    return message
            cursor = (answer.get("response_metadata") or {}).get("next_cursor")
            if not answer.get("has_more") or not cursor:
                return None
        return None

    def _adopted(self, channel: str, message: dict, how: str) -> SlackResponse:
        log.info("adopting the message %s in %s that an earlier try posted (%s)", message["ts"], channel, how)
        return SlackResponse(client=self, http_verb="POST", api_url=f"{self.base_url}chat.postMessage",
                             req_args={}, data={"ok": True, "channel": channel, "ts": message["ts"],
                                                "message": message, "adopted": how},
                             headers={}, status_code=200)


def _unknown(error: BaseException) -> bool:
    """Whether Slack may have posted despite the error: no answer in time, a broken connection, or a 5xx."""
    if isinstance(error, SlackApiError):
        return (getattr(error.response, "status_code", 200) or 200) >= 500
    return True
