"""The App Home tab: the boards a member sits on."""

from __future__ import annotations

from bot.domain.boards import Seat
from bot.domain.text import escape, plural
from prompts.blocks.common import context, header, section, sections
from prompts.blocks.replies import KIND_LABELS, ROLE_LABELS

HOME_BLOCK_LIMIT = 100


def home_view(seats: list[Seat]) -> dict:
    """A home tab listing each board with the user's role and channel."""
    blocks = [header("Your boards")]
    if not seats:
        blocks.append(section(
            "You are not on any board yet. A chair or secretary can add you with "
            "`/collab members add`, or run `/collab setup` in a channel to start a new board."))
    else:
        lines = [
            f"*{escape(seat.board_name)}* in <#{seat.channel_id}>\n"
            f"{ROLE_LABELS[seat.role]} · {KIND_LABELS[seat.kind]} · {plural(seat.members, 'member')}"
            for seat in seats
        ]
        blocks += sections(lines, max_blocks=HOME_BLOCK_LIMIT - 2)
    blocks.append(context("Type `/collab help` in any channel to see what the bot can do."))
    return {"type": "home", "blocks": blocks[:HOME_BLOCK_LIMIT]}
