"""Who is in a channel, as Slack's conversations.members says, cached briefly: the check behind answering a sign-off
request sent to a channel. A read, so it may run in a listener; it never waits long, and never guesses."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.domain.errors import Channel, NotAllowed

TTL_SECONDS = 60.0
TIMEOUT_SECONDS = 2  # the click that asks must still open its form within Slack's 3 seconds
PAGE_SIZE, MAX_PAGES = 1000, 20
CACHED_CHANNELS = 512
log = logging.getLogger(__name__)


class MemberCache:
    """Channel member lists by (team, channel), each kept for `ttl` seconds; the oldest go first when full."""

    def __init__(self, ttl: float = TTL_SECONDS, size: int = CACHED_CHANNELS,
                 clock: Callable[[], float] = time.monotonic):
        self.ttl, self.size, self.clock = ttl, size, clock
        self._lists: OrderedDict[tuple[str, str], tuple[float, frozenset[str]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> frozenset[str] | None:
        """The members cached for `key`, unless too old."""
        with self._lock:
            found = self._lists.get(key)
            if found is None or found[0] <= self.clock():
                self._lists.pop(key, None)
                return None
            return found[1]

    def put(self, key: tuple[str, str], members: frozenset[str]) -> None:
        """Remember a channel's members for the next `ttl` seconds."""
        with self._lock:
            self._lists[key] = (self.clock() + self.ttl, members)
            self._lists.move_to_end(key)
            while len(self._lists) > self.size:
                self._lists.popitem(last=False)


class SlackChannelMembers:
    """The ChannelMembers port over one request's WebClient (its workspace's token) and the shared cache."""

    def __init__(self, client: WebClient, cache: MemberCache, team_id: str):
        self.client, self.cache, self.team_id = client, cache, team_id

    def is_member(self, channel_id: str, user_id: str) -> bool:
        """Whether Slack lists the user in the channel; NotAllowed, saying what to do, when Slack cannot say."""
        key = (self.team_id, channel_id)
        members = self.cache.get(key)
        if members is None:
            members = self._fetch(channel_id)
            self.cache.put(key, members)
        return user_id in members

    def _fetch(self, channel_id: str) -> frozenset[str]:
        quick = WebClient(token=self.client.token, base_url=self.client.base_url, timeout=TIMEOUT_SECONDS,
                          retry_handlers=[])  # fail fast: a refusal is better than a click Slack gives up on
        found: set[str] = set()
        cursor = None
        try:
            for _ in range(MAX_PAGES):
                page = quick.conversations_members(channel=channel_id, limit=PAGE_SIZE, cursor=cursor)
                found.update(page.get("members") or ())
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    break
        except (SlackClientError, OSError) as exc:
            error = exc.response.get("error") if isinstance(exc, SlackApiError) else type(exc).__name__
            log.warning("conversations.members for %s failed: %s", channel_id, error)
            raise NotAllowed("Slack could not confirm just now who is in {channel}, so your answer was not "
                             "recorded. Try again in a minute; if it keeps failing, ask the chair to check that "
                             "the bot is in that channel.", channel=Channel(channel_id)) from None
        return frozenset(found)
