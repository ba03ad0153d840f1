"""Replies to `/collab` subcommands: help, errors, organisations and members."""

from __future__ import annotations

from bot.domain.boards import Board, BoardKind, Member, Role
from bot.domain.commands import USAGE
from bot.domain.decisions import VoteReceipt
from bot.domain.errors import DomainError, UsageError
from bot.domain.text import cut, escape
from prompts.blocks.common import context, header, message, section, sections
from prompts.blocks.polls import POSITION_LABELS

HELP_LINES = [
    ("/collab help", "show this list"),
    ("/collab setup", "link this channel to a new board (you become its chair or secretary)"),
    ("/collab org add <name>", "register an organisation (trust, council, voluntary body)"),
    ("/collab org list", "list the organisations and how many board seats each holds"),
    ("/collab members", "list this board's members, their organisations and roles"),
    ("/collab members add @person <organisation> <role>",
     "add someone or change their organisation or role (chair, secretary, member, observer)"),
    ("/collab members remove @person", "take someone off this board"),
    ("/collab propose [title]", "put a proposal to the board and open a poll in this channel"),
    ("/collab decisions", "the board's most recent decisions from its register"),
]

ROLE_LABELS = {Role.CHAIR: "Chair", Role.SECRETARY: "Secretary", Role.MEMBER: "Member", Role.OBSERVER: "Observer"}
KIND_LABELS = {
    BoardKind.PEER_NETWORK: "Peer network", BoardKind.PARTNERSHIP_BOARD: "Partnership board",
    BoardKind.PROGRAMME_BOARD: "Programme board", BoardKind.ADVISORY_GROUP: "Advisory group",
}


def help_message() -> dict:
    """Every subcommand with one line each."""
    lines = [f"`{escape(cmd)}`  {text}" for cmd, text in HELP_LINES]
    return message(
        [header("collab-bot: decide things together"), section("\n".join(lines)),
         context("Only a board's chair or secretary can change the board, its organisations or its members.")],
        "collab-bot commands: " + escape(", ".join(cmd for cmd, _ in HELP_LINES)),
    )


def error_message(error: DomainError) -> dict:
    """A domain error as a short ephemeral reply, with the right usage when it was a typing slip."""
    text = f":warning: {error.message}"
    if isinstance(error, UsageError):
        text += f"\nUsage: `{escape(error.usage)}`"
    return message([section(text)], error.message)


def unexpected_error_message(reference: str) -> dict:
    """What a user sees when something broke that they could not have caused."""
    text = (f":x: Something went wrong on our side and nothing was changed. "
            f"If it happens again, give your secretary this reference: `{reference}`.")
    return message([section(text)], text)


def board_created(board: Board) -> dict:
    """The channel's announcement that it now hosts a board."""
    me = board.members[0]
    text = (f"*{escape(board.name)}* ({KIND_LABELS[board.kind].lower()}, {board.collaboration_type.value} "
            f"collaboration) now meets in this channel. <@{me.user_id}> is its "
            f"{ROLE_LABELS[me.role].lower()} for {escape(me.organisation)}.")
    hint = "Add members with `/collab members add @person <organisation> <role>`; see `/collab help`."
    return message([section(text), context(hint)], text)


def organisation_added(name: str) -> dict:
    """Confirmation that an organisation was registered."""
    return message([section(f":white_check_mark: *{escape(name)}* is registered.")], f"{escape(name)} is registered.")


def organisation_list(orgs: list[tuple[str, int]]) -> dict:
    """The workspace's organisations with their seats."""
    if not orgs:
        text = f"No organisations yet. Add one with `{USAGE['org add']}`."
        return message([section(text)], text)
    lines = [f"• *{escape(name)}*: {seats} board seat{'s' if seats != 1 else ''}" for name, seats in orgs]
    return message([header("Organisations"), *sections(lines, max_blocks=45)], f"{len(orgs)} organisations")


def member_list(board: Board) -> dict:
    """The board's members grouped by organisation."""
    by_org: dict[str, list[Member]] = {}
    for m in sorted(board.members, key=lambda m: (m.organisation.casefold(), list(Role).index(m.role))):
        by_org.setdefault(m.organisation, []).append(m)
    lines = [
        f"*{escape(org)}*: " + ", ".join(f"<@{m.user_id}> ({ROLE_LABELS[m.role].lower()})" for m in members)
        for org, members in by_org.items()
    ]
    summary = f"{len(board.members)} members from {len(by_org)} organisations"
    return message([header(f"{board.name}: members"), context(summary), *sections(lines, max_blocks=45)], summary)


def member_changed(user_id: str, organisation: str, role: Role, outcome: str) -> dict:
    """Confirmation of an added, changed or already-recorded member."""
    what = {"added": "is now a", "updated": "is now a", "unchanged": "was already a"}[outcome]
    text = f":white_check_mark: <@{user_id}> {what} {ROLE_LABELS[role].lower()} for *{escape(organisation)}*."
    return message([section(text)], text)


def member_removed(user_id: str, board: Board) -> dict:
    """Confirmation that someone left the board."""
    text = f":white_check_mark: <@{user_id}> is no longer a member of *{escape(board.name)}*."
    return message([section(text)], text)


def modal_error(text: str) -> str:
    """A message fit for an inline modal error, which Slack shows as plain text."""
    plain = text.replace("*", "").replace("`", "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return cut(plain, 150)


def vote_receipt(receipt: VoteReceipt) -> dict:
    """The voter's private confirmation of what was recorded."""
    label = POSITION_LABELS[receipt.position]
    if not receipt.changed:
        text = f"Your position was already *{label}*; nothing changed."
    elif receipt.closed:
        text = f"Recorded: *{label}*. Everyone has now voted, so the poll has closed."
    else:
        text = f"Recorded: *{label}*. You can change your position until the poll closes."
    if receipt.counted_for:
        text += (f"\nThis poll takes one vote per organisation, and <@{receipt.counted_for}> recorded your "
                 "organisation's first, so theirs is the position counted.")
    return message([section(text)], text)
