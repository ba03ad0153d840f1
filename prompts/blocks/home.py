"""The App Home tab: the boards a member sits on."""

from __future__ import annotations

from bot.domain.boards import Board, Role
from bot.domain.text import escape
from prompts.blocks.common import context, header, section, sections
from prompts.blocks.replies import KIND_LABELS, ROLE_LABELS

HOME_BLOCK_LIMIT = 100


def home_view(memberships: list[tuple[Board, Role]]) -> dict:
    """A home tab listing each board with the user's role and channel."""
    blocks = [header("Your boards")]
    if not memberships:
        blocks.append(section(
            "You are not on any board yet. A chair or secretary can add you with "
            "`/collab members add`, or run `/collab setup` in a channel to start a new board."))
    else:
        lines = [
            f"*{escape(board.name)}* in <#{board.channel_id}>\n"
            f"{ROLE_LABELS[role]} · {KIND_LABELS[board.kind]} · {len(board.members)} members"
            for board, role in memberships
        ]
        blocks += sections(lines, max_blocks=HOME_BLOCK_LIMIT - 2)
    blocks.append(context("Type `/collab help` in any channel to see what the bot can do."))
    return {"type": "home", "blocks": blocks[:HOME_BLOCK_LIMIT]}
