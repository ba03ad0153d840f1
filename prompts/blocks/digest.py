"""A board's weekly digest: open polls and who hasn't voted, what closes this week, last week's decisions,
reviews due, open and overdue actions; each item linked, and within Block Kit's limits however busy the board is."""

from __future__ import annotations

from bot.domain.digest import Digest, OpenAction, OpenPoll
from bot.domain.text import cut, escape, plural
from prompts.blocks.common import context, header, message, section, sections
from prompts.blocks.polls import OUTCOME_LABELS, when

PART_BLOCKS = 10  # four parts of at most 10 sections, the actions' part of at most 3, a header and a footer:
NAMES_SHOWN = 10  # 1 + 4 x 11 + 3 + 1 = 49 blocks, inside 50
ACTIONS_SHOWN = 5
ACTION_BLOCKS = 2


def link(channel_id: str, ts: str | None, text: str) -> str:
    """`text` linked to a message in the channel (plain text when it has not been posted)."""
    label = escape(cut(text, 150)).replace("|", "¦")
    return f"<https://slack.com/archives/{channel_id}/p{ts.replace('.', '')}|{label}>" if ts else f"*{label}*"


def _waiting(poll: OpenPoll) -> str:
    if poll.waiting_count == 0:
        return "everyone has voted"
    if poll.secret:
        return f"{poll.waiting_count} of {poll.eligible} yet to vote (secret ballot)"
    names = ", ".join(f"<@{u}>" for u in poll.waiting[:NAMES_SHOWN])
    more = f" and {poll.waiting_count - NAMES_SHOWN} more" if poll.waiting_count > NAMES_SHOWN else ""
    return f"{poll.waiting_count} of {poll.eligible} yet to vote: {names}{more}"


def _part(title: str, lines: list[str], empty: str, *, max_blocks: int = PART_BLOCKS) -> list[dict]:
    return [section(f"*{title}*"), *sections(lines or [f"_{empty}_"], max_blocks=max_blocks)]


def _action(a: OpenAction) -> str:
    mark = ":warning: *overdue*, was due" if a.overdue else "due"
    return f"• *{escape(cut(a.title, 150))}*: <@{a.owner}>, {mark} {a.due_on:%a %d %b}"


def _actions(d: Digest) -> list[dict]:
    lines = [_action(a) for a in d.actions[:ACTIONS_SHOWN]]
    if len(d.actions) > ACTIONS_SHOWN:
        lines.append(f"…and {len(d.actions) - ACTIONS_SHOWN} more. See them all with `/collab actions`.")
    title = f"Open actions ({len(d.actions)}, {d.overdue} overdue)"
    return _part(title, lines, "No open actions.", max_blocks=ACTION_BLOCKS)


def digest_message(d: Digest) -> dict:
    """The digest as posted in the board's channel."""
    tz, channel = d.board.timezone, d.board.channel_id
    open_lines = [f"• {link(channel, p.message_ts, p.title)}: closes {when(p.closes_at, tz)}; {_waiting(p)}"
                  for p in d.open]
    closing = [f"• {link(channel, p.message_ts, p.title)}: {when(p.closes_at, tz)}" for p in d.closing]
    decided = [f"• *{x.number}* {link(channel, x.message_ts, x.title)}: {OUTCOME_LABELS[x.outcome]}"
               for x in d.decided]
    reviews = [f"• *{escape(r.title)}*: {when(r.due, tz)}" for r in d.reviews]
    blocks = [header(f"{d.board.name}: the week of {d.week_of:%d %B %Y}"),
              *_part(f"Open polls ({len(d.open)})", open_lines, "No polls are open."),
              *_part(f"Closing this week ({len(d.closing)})", closing, "None close this week."),
              *_part(f"Decided last week ({len(d.decided)})", decided, "No decisions last week."),
              *_part(f"Reviews due ({len(d.reviews)})", reviews, "No reviews due this week."),
              *_actions(d),
              context("The chair or secretary can change or stop this digest with `/collab settings`.")]
    summary = (f"{d.board.name}: {plural(len(d.open), 'open poll')}, {plural(len(d.decided), 'decision')} "
               f"last week, {plural(len(d.reviews), 'review')} due, {plural(len(d.actions), 'open action')} "
               f"({d.overdue} overdue)")
    return message(blocks, summary)
