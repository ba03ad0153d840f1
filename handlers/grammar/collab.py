"""Parse the text after `/collab` into a typed command: the intents, the words for each, and their usage."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.boards import Role, parse_choice
from bot.domain.errors import Command as CommandText
from bot.domain.errors import UsageError
from handlers.grammar import checklists, delegation
from handlers.grammar.checklists import ChecklistCommand, parse_checklists
from handlers.grammar.delegation import DelegationCommand, parse_delegation, parse_mention
from prompts.usage import USAGE

ORG_KINDS = frozenset({"nhs_trust", "foundation_trust", "local_authority", "voluntary", "independent", "other"})


@dataclass(frozen=True)
class Help:
    """Show every subcommand; `unknown` is what was typed when it was not understood."""

    unknown: str = ""


@dataclass(frozen=True)
class Setup:
    """Open the modal that links this channel to a new board."""


@dataclass(frozen=True)
class OrgAdd:
    """Register an organisation in the workspace."""

    name: str


@dataclass(frozen=True)
class OrgType:
    """Say what type of body an organisation is."""

    name: str
    kind: str


@dataclass(frozen=True)
class OrgRename:
    """Give an organisation a new display name."""

    name: str
    new_name: str


@dataclass(frozen=True)
class OrgList:
    """List the workspace's organisations."""


@dataclass(frozen=True)
class MembersList:
    """List the members of this channel's board."""


@dataclass(frozen=True)
class MembersAdd:
    """Add a member to this channel's board, or change their organisation or role."""

    user_id: str
    organisation: str
    role: Role


@dataclass(frozen=True)
class MembersRemove:
    """Remove a member from this channel's board."""

    user_id: str


@dataclass(frozen=True)
class Propose:
    """Open the proposal modal, optionally with a title filled in."""

    title: str = ""


@dataclass(frozen=True)
class Decisions:
    """List the board's recent decisions."""


@dataclass(frozen=True)
class MembersNominate:
    """Make a member their organisation's voter on polls that take one vote per organisation."""

    user_id: str


@dataclass(frozen=True)
class History:
    """Show how each member's position changed on one decision."""

    number: str


@dataclass(frozen=True)
class Settings:
    """Open the board's settings: time zone, digest, reminders, working days."""


@dataclass(frozen=True)
class Reviews:
    """List the board's governance reviews."""


@dataclass(frozen=True)
class ReviewsAdd:
    """Open the modal that adds a review."""


@dataclass(frozen=True)
class ReviewsRemove:
    """Stop one of the board's reviews."""

    review_id: int


@dataclass(frozen=True)
class Reminders:
    """Show the chair who was reminded to vote on each open poll."""


Command = (Propose | Decisions | History | Help | Setup | OrgAdd | OrgType | OrgRename | OrgList
           | MembersList | MembersAdd | MembersRemove
           | MembersNominate | Settings | Reviews | ReviewsAdd | ReviewsRemove | Reminders | DelegationCommand
           | ChecklistCommand)
REGISTER_NUMBER = re.compile(r"^CB-\d{4}-\d{3,}$", re.ASCII)

# Every subcommand the router accepts (its first word, or first two), and the other words it takes for them.
SUBCOMMANDS = ("help", "setup", "settings", "org add", "org list", "org type", "org rename", "members",
               "members add", "members remove", "members nominate", "propose", "decisions", "history", "reminders",
               "reviews", "reviews add", "reviews remove", *delegation.SUBCOMMANDS,
               *checklists.SUBCOMMANDS)
ALIASES = {"register": "decisions", "review": "reviews", "reminded": "reminders", "orgs": "org",
           "organisation": "org", "organisations": "org",
           **delegation.ALIASES, **checklists.ALIASES}
FIRST_WORDS = frozenset(phrase.split()[0] for phrase in SUBCOMMANDS)


def _words(text: str) -> list[str]:
    # A mention's display name may hold spaces (<@U1|Sam Smith>); keep each mention one word.
    protected = re.sub(r"<@[^>]*>", lambda m: m.group(0).replace(" ", "\x00"), text)
    return [w.replace("\x00", " ") for w in protected.split()]


def parse(text: str) -> Command:
    """The command typed after `/collab`; words it does not know give Help, saying what it did not understand."""
    words = _words(text)
    if not words:
        return Help()
    first = ALIASES.get(words[0].lower(), words[0].lower())
    if first not in FIRST_WORDS:
        return Help(unknown=text.strip())
    command = _parse(text, [first, *words[1:]], len(words[0]))
    return Help(unknown=text.strip()) if command is None else command


WORDLESS = {"help": Help, "setup": Setup, "decisions": Decisions, "settings": Settings, "reminders": Reminders}


def _parse(text: str, words: list[str], typed: int) -> Command | None:
    head = [w.lower() for w in words[:2]]
    if head[0] in WORDLESS:
        return WORDLESS[head[0]]()
    if head[0] == "propose":
        return Propose(title=text.strip()[typed:].strip())
    if head[0] in GROUPS:
        return GROUPS[head[0]](words[1:], head[1:])
    return parse_delegation(words) or parse_checklists(words)


def _parse_reviews(rest: list[str], head: list[str]) -> Command:
    if head == ["add"]:
        return ReviewsAdd()
    if head[:1] == ["remove"]:
        number = rest[1].lstrip("#") if len(rest) == 2 else ""
        if not (number.isascii() and number.isdigit() and 0 < int(number) < 2**31):
            raise UsageError("Give the review's number, as {command} lists it.", usage=USAGE["reviews remove"],
                             command=CommandText("/collab reviews"))
        return ReviewsRemove(review_id=int(number))
    return Reviews()


def _parse_history(rest: list[str], head: list[str]) -> Command:
    number = rest[0].upper() if len(rest) == 1 else ""
    if not REGISTER_NUMBER.match(number):
        raise UsageError("Give the decision's register number.", usage=USAGE["history"])
    return History(number=number)


def _parse_org(rest: list[str], head: list[str]) -> Command | None:
    if not head or head[0] == "list":
        return OrgList()
    if head[0] == "add":
        name = " ".join(rest[1:])
        if not name:
            raise UsageError("Give the organisation's name.", usage=USAGE["org add"])
        return OrgAdd(name=name)
    if head[0] == "type":
        words = [w.lower() for w in rest[1:]]
        for size in (2, 1):  # "local authority" before "other"
            if len(words) > size:
                kind = "_".join(words[-size:])
                if kind in ORG_KINDS:
                    return OrgType(name=" ".join(rest[1:-size]), kind=kind)
        raise UsageError("Name the organisation, then its type.", usage=USAGE["org type"])
    if head[0] == "rename":
        lowered = [w.lower() for w in rest]
        if "to" not in lowered[2:]:
            raise UsageError("Name the organisation, then “to” and its new name.", usage=USAGE["org rename"])
        split = lowered.index("to", 2)
        return OrgRename(name=" ".join(rest[1:split]), new_name=" ".join(rest[split + 1:]))
    return None


def _parse_members(rest: list[str], head: list[str]) -> Command | None:
    if not head or head[0] == "list":
        return MembersList()
    if head[0] == "add":
        usage = USAGE["members add"]
        args = rest[1:]
        if len(args) < 3:
            raise UsageError("Say who to add, their organisation and their role.", usage=usage)
        user_id = parse_mention(args[0], usage=usage)
        role = parse_choice(Role, args[-1], field_name="role", label="role")
        return MembersAdd(user_id=user_id, organisation=" ".join(args[1:-1]), role=role)
    if head[0] == "remove":
        usage = USAGE["members remove"]
        if len(rest) != 2:
            raise UsageError("Say who to remove.", usage=usage)
        return MembersRemove(user_id=parse_mention(rest[1], usage=usage))
    if head[0] in ("nominate", "voter"):
        usage = USAGE["members nominate"]
        if len(rest) != 2:
            raise UsageError("Say whom to nominate.", usage=usage)
        return MembersNominate(user_id=parse_mention(rest[1], usage=usage))
    return None


GROUPS = {"reviews": _parse_reviews, "history": _parse_history, "org": _parse_org, "members": _parse_members}
