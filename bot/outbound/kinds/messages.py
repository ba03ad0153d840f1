"""Private messages: a notice to one person, and the redraw of a message someone clicked a button on."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.events import Notice, Replaced, Route
from bot.domain.jobs import ClaimedJob, Effect
from bot.outbound.kinds.base import JobKind, Payload, SendContext, nobody
from bot.outbound.notices import deliver, render, webhook


@dataclass(frozen=True)
class MessagePayload(Payload):
    """Who is told, and which notice (bot/outbound/notices.py) with what to fill it in."""

    to: Route
    what: str
    data: dict


def notify(ctx: SendContext, job: ClaimedJob, p: MessagePayload) -> dict:
    """Tell the person by the best route there is: response_url, ephemeral, then DM."""
    return deliver(ctx.client, p.to, render(p.what, p.data, to=p.to, db=ctx.db))


def _notice(event: Notice) -> list[Effect]:
    # Replies and ephemeral messages aren't channel posts; only a DM is paced, per person.
    to = event.to
    paced = None if to.response_url or to.channel_id else to.user_id
    return [NOTICE.job(event.key, event.at, MessagePayload(to, event.what, event.data), paced)]


# A failed notice is to the one person it was for: logged and audited only.
NOTICE = JobKind("notice", MessagePayload, "chat.postEphemeral", notify, nobody, reacts={Notice: _notice})


def replace(ctx: SendContext, job: ClaimedJob, p: MessagePayload) -> dict:
    """Redraw the clicked message through its response_url."""
    content = render(p.what, p.data, to=p.to, db=ctx.db)
    if content is not None and p.to.response_url:
        webhook(p.to.response_url, {**content, "replace_original": True})
    return {"replaced": content is not None and bool(p.to.response_url)}


def _replaced(event: Replaced) -> list[Effect]:
    return [REPLACE.job(event.key, event.at, MessagePayload(event.to, event.what, event.data))]


REPLACE = JobKind("message.replace", MessagePayload, "response_url", replace, nobody, reacts={Replaced: _replaced})
