"""Replies to `/collab` subcommands: help, organisations and members (errors: prompts/errors.py)."""

from __future__ import annotations

from bot.domain.boards import Board, BoardKind, Member, Role
from bot.domain.decisions import VoteReceipt
from bot.domain.delegation import ORG_TYPE_LABELS, OrgType
from bot.domain.text import article, cut, escape, plural
from prompts.blocks.common import code, context, header, message, section, sections
from prompts.blocks.polls import POSITION_LABELS
from prompts.slack_errors import NOT_INVITED, TOKEN_REFUSED, SlackError
from prompts.usage import USAGE

HELP_TOPICS = [
    ("Getting started", [
        ("/collab help", "show this list"),
        ("/collab setup", "link this channel to a new board (you become its chair or secretary)"),
        ("/collab settings", "time zone, weekly digest, reminders before a poll closes, working days"),
    ]),
    ("Organisations and members", [
        ("/collab org add <name>", "register an organisation (trust, council, voluntary body)"),
        ("/collab org list", "list the organisations, their type and how many board seats each holds"),
        ("/collab org type <organisation> <type>",
         "say what an organisation is: NHS trust, foundation trust, local authority, voluntary, independent, other"),
        ("/collab org rename <organisation> to <new name>", "change an organisation's display name"),
        ("/collab members", "list this board's members, their organisations and roles"),
        ("/collab members add @person <organisation> <role>",
         "add someone or change their organisation or role (chair, secretary, member, observer)"),
        ("/collab members remove @person", "take someone off this board"),
        ("/collab members nominate @person",
         "make someone the one who casts their organisation's vote on polls taking one vote per organisation"),
    ]),
    ("Proposals and decisions", [
        ("/collab propose [title]", "put a proposal to the board and open a poll in this channel"),
        ("/collab decisions", "the board's most recent decisions from its register"),
        ("/collab history CB-2026-001", "every position each member took on a decision (chair or secretary)"),
        ("/collab reminders", "who was reminded to vote on each open poll, and when (chair or secretary)"),
        ("/collab rules", "the decision rule each category of proposal takes"),
        ("/collab rule <category> <rule>",
         "set the rule for a category, e.g. `service change supermajority 2/3` (or `default`); chair or secretary"),
    ]),
    ("Delegated authority and sign-off", [
        ("/collab authority [@person]", "your delegated authority (or a member's, for the chair or secretary)"),
        ("/collab authority set", "open a form to set a member's limit in one category (chair or secretary)"),
        ("/collab authority set @person <category> <limit> [from <date>] [until <date>]",
         "set a member's limit: an amount such as 250k, unlimited or none; yes or no for other categories"),
        ("/collab chain <organisation>", "edit an organisation's escalation chain (chair or secretary)"),
        ("/collab deputy @approver @deputy <organisation> from <date> until <date>",
         "name a deputy who answers sign-off requests for an approver over a period"),
        ("/collab escalations", "sign-off requests you must answer, and those waiting on others"),
        ("/collab review-delegated", "decisions taken under delegation that await the board's review"),
    ]),
    ("Checklists and actions", [
        ("/collab checklist [template]",
         "answer a checklist, one question at a time in a DM; pause and come back whenever you like"),
        ("/collab selector",
         "which kind of arrangement fits this collaboration: informal, strategic or formal, and why"),
        ("/collab checklist open [template] [closes <date>]", "open a round for the whole board (chair or secretary)"),
        ("/collab checklist close [template]", "close the board's round and post its report (chair or secretary)"),
        ("/collab report [template]", "post the report of the board's latest round, with a chart"),
        ("/collab actions", "the board's open actions, their owners and due dates; the owner marks one done"),
    ]),
    ("Governance reviews", [
        ("/collab reviews", "the board's governance reviews: what, how often, when next"),
        ("/collab reviews add", "add a recurring review reminder, such as the annual MoU review or a notice period"),
        ("/collab reviews remove <number>", "stop a review and its reminders (chair or secretary)"),
    ]),
]
HELP_LINES = [line for _, lines in HELP_TOPICS for line in lines]

ROLE_LABELS = {Role.CHAIR: "Chair", Role.SECRETARY: "Secretary", Role.MEMBER: "Member", Role.OBSERVER: "Observer"}
KIND_LABELS = {
    BoardKind.PEER_NETWORK: "Peer network", BoardKind.PARTNERSHIP_BOARD: "Partnership board",
    BoardKind.PROGRAMME_BOARD: "Programme board", BoardKind.ADVISORY_GROUP: "Advisory group",
}


def help_message(unknown: str = "") -> dict:
    """Every subcommand with one line each, a section per topic; first what was not understood, if anything."""
    blocks = [header("collab-bot: decide things together")]
    if unknown:
        blocks.append(section(f"I didn't understand {code('/collab ' + cut(unknown, 100))}. Here is what I can do:"))
    for topic, lines in HELP_TOPICS:
        blocks.append(section(f"*{topic}*\n" + "\n".join(f"{code(cmd)}  {text}" for cmd, text in lines)))
    blocks.append(context("Only a board's chair or secretary can change the board, its organisations or its members."))
    fallback = "collab-bot commands: " + escape(", ".join(cmd for cmd, _ in HELP_LINES))
    return message(blocks, f"I didn't understand /collab {escape(cut(unknown, 100))}." if unknown else fallback)


def unexpected_error_message(reference: str, *, saved: bool) -> dict:
    """What a user sees when something broke that they could not have caused; true to whether anything saved."""
    if saved:
        text = (":warning: Your change was saved, but something went wrong afterwards on our side, so parts of "
                "Slack may not show it yet. Don't repeat it; if it still isn't shown in a few minutes, give your "
                f"secretary this reference: `{reference}`.")
    else:
        text = (":x: Something went wrong on our side and nothing was changed. "
                f"If it happens again, give your secretary this reference: `{reference}`.")
    return message([section(text)], text)


def stale_button_message() -> dict:
    """A click on a button this version of the bot no longer answers."""
    text = ":warning: That button no longer does anything, so nothing was changed. Use the latest message instead."
    return message([section(text)], text)


CHANNEL_FIXES = {
    SlackError.IS_ARCHIVED: "<#{channel}> is archived. Unarchive it, or set the board up again in an open channel.",
    **dict.fromkeys(TOKEN_REFUSED, "Slack refused the bot's token; ask whoever runs collab-bot to check it."),
}


def delivery_failed(what: str, title: str, channel_id: str, error: str) -> dict:
    """A poll's message could not be posted for good: what failed and what to do."""
    fix = CHANNEL_FIXES.get(error, "Invite me with `/invite @collab-bot`, then extend the poll so it is drawn "
                                   "again." if error in NOT_INVITED
                            else "If it keeps happening, ask whoever runs collab-bot to look at its log.")
    text = (f":warning: I couldn't post {what} for *{escape(title)}* in <#{channel_id}> ({escape(error)}). "
            "The proposal and every vote are saved. " + fix.format(channel=channel_id))
    return message([section(text)], text)


def board_unannounced(board_name: str, channel_id: str, error: str) -> dict:
    """The board was saved, but the bot could not post in its channel: what was saved and what to do."""
    fix = CHANNEL_FIXES.get(error, "Invite me with `/invite @collab-bot`, so that polls and reminders can "
                                   "appear there." if error in NOT_INVITED
                            else "Slack was unavailable; there is nothing to set up again.")
    text = (f":warning: The board *{escape(board_name)}* is set up, but I can't post in <#{channel_id}> "
            f"({escape(error)}). " + fix.format(channel=channel_id))
    return message([section(text)], text)


def board_created(board: Board) -> dict:
    """The channel's announcement that it now hosts a board."""
    me = board.members[0]
    text = (f"*{escape(board.name)}* ({KIND_LABELS[board.kind].lower()}, {board.collaboration_type.value} "
            f"collaboration) now meets in this channel. <@{me.user_id}> is its "
            f"{ROLE_LABELS[me.role].lower()} for {escape(me.organisation)}.")
    hint = f"Add members with {code('/collab members add @person <organisation> <role>')}; see `/collab help`."
    return message([section(text), context(hint)], text)


ORG_TYPE_NOUNS = {
    OrgType.NHS_TRUST: "an NHS trust", OrgType.FOUNDATION_TRUST: "a foundation trust",
    OrgType.LOCAL_AUTHORITY: "a local authority", OrgType.VOLUNTARY: "a voluntary sector organisation",
    OrgType.INDEPENDENT: "an independent sector organisation", OrgType.OTHER: "another type of organisation",
}


def type_label(kind: str) -> str:
    """An organisation type in running text: "NHS trust", "local authority"."""
    label = ORG_TYPE_LABELS[OrgType(kind)]
    return label if label.startswith("NHS") else label.lower()


def organisation_changed(name: str, *, kind: str | None = None, was: str | None = None) -> dict:
    """Confirmation of an organisation's new type or name."""
    if was is not None:
        text = f"*{escape(was)}* is now called *{escape(name)}*; its members, votes and authority go with it."
    else:
        text = f"*{escape(name)}* is recorded as {ORG_TYPE_NOUNS[OrgType(kind)]}."
    return message([section(text)], text)


def organisation_added(name: str) -> dict:
    """Confirmation that an organisation was registered."""
    return message([section(f":white_check_mark: *{escape(name)}* is registered.")], f"{escape(name)} is registered.")


def organisation_list(orgs: list[tuple]) -> dict:
    """The workspace's organisations with their seats (and type, when known)."""
    if not orgs:
        text = f"No organisations yet. Add one with {code(USAGE['org add'])}."
        return message([section(text)], text)
    lines = [f"• *{escape(name)}*" + (f" ({type_label(kind[0])})" if kind and kind[0] != "other" else "")
             + f": {plural(seats, 'board seat')}" for name, seats, *kind in orgs]
    return message([header("Organisations"), *sections(lines, max_blocks=45)], plural(len(orgs), "organisation"))


def member_list(board: Board) -> dict:
    """The board's members grouped by organisation."""
    by_org: dict[str, list[Member]] = {}
    for m in sorted(board.members, key=lambda m: (m.organisation.casefold(), list(Role).index(m.role))):
        by_org.setdefault(m.organisation, []).append(m)
    lines = [
        f"*{escape(org)}*: " + ", ".join(f"<@{m.user_id}> ({ROLE_LABELS[m.role].lower()})" for m in members)
        for org, members in by_org.items()
    ]
    summary = f"{plural(len(board.members), 'member')} from {plural(len(by_org), 'organisation')}"
    return message([header(f"{board.name}: members"), context(summary), *sections(lines, max_blocks=45)], summary)


def member_changed(user_id: str, organisation: str, role: Role, outcome: str) -> dict:
    """Confirmation of an added, changed or already-recorded member."""
    what = {"added": "is now", "updated": "is now", "unchanged": "was already"}[outcome]
    text = (f":white_check_mark: <@{user_id}> {what} {article(ROLE_LABELS[role].lower())} "
            f"for *{escape(organisation)}*.")
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
    """The voter's private confirmation of what was recorded; an uncounted position says so first."""
    label = POSITION_LABELS[receipt.position]
    lines = []
    if receipt.counted_for:
        why = "is your organisation's nominated voter" if receipt.nominated else "recorded your organisation's first"
        lines.append(f"*Not counted:* this poll takes one vote per organisation, and <@{receipt.counted_for}> {why}, "
                     "so theirs is the position counted. Yours is kept on the record.")
    if not receipt.changed:
        lines.append(f"Your position was already *{label}*; nothing changed.")
    elif receipt.closed:
        lines.append(f"Recorded: *{label}*. Everyone has now voted, so the poll has closed.")
    else:
        lines.append(f"Recorded: *{label}*. You can change your position until the poll closes.")
    text = "\n".join(lines)
    return message([section(text)], text)


def voter_nominated(member: Member) -> dict:
    """Confirmation that a member now casts their organisation's vote."""
    text = (f":white_check_mark: <@{member.user_id}> now casts *{escape(member.organisation)}*'s vote on polls "
            "that take one vote per organisation.")
    return message([section(text)], text)
