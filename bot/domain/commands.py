"""Parse the text after `/collab` into a typed command."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.boards import Role, parse_choice
from bot.domain.commands_checklists import ChecklistCommand, parse_checklists
from bot.domain.commands_delegation import DelegationCommand, parse_delegation, parse_mention
from bot.domain.errors import UsageError

ORG_KINDS = frozenset({"nhs_trust", "foundation_trust", "local_authority", "voluntary", "independent", "other"})


@dataclass(frozen=True)
class Help:
    """Show every subcommand."""


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

USAGE = {
    "org add": "/collab org add <organisation name>",
    "org type": ("/collab org type <organisation> "
                 "<nhs trust|foundation trust|local authority|voluntary|independent|other>"),
    "org rename": "/collab org rename <organisation> to <new name>",
    "members add": "/collab members add @person <organisation> <chair|secretary|member|observer>",
    "members remove": "/collab members remove @person",
    "members nominate": "/collab members nominate @person",
    "history": "/collab history CB-2026-001",
    "reviews remove": "/collab reviews remove <number>",
}




def _words(text: str) -> list[str]:
    # A mention's display name may hold spaces (<@U1|Sam Smith>); keep each mention one word.
    protected = re.sub(r"<@[^>]*>", lambda m: m.group(0).replace(" ", "\x00"), text)
    return [w.replace("\x00", " ") for w in protected.split()]


def parse(text: str) -> Command:
    """The command typed after `/collab`; unknown words give Help."""
    words = _words(text)
    head = [w.lower() for w in words[:2]]
    if not words or head[0] == "help":
        return Help()
    if head[0] == "setup":
        return Setup()
    if head[0] == "propose":
        return Propose(title=text.strip()[len(words[0]):].strip())
    if head[0] in ("decisions", "register"):
        return Decisions()
    if head[0] == "settings":
        return Settings()
    if head[0] in ("reviews", "review"):
        if head[1:] == ["add"]:
            return ReviewsAdd()
        if head[1:2] == ["remove"]:
            number = words[2].lstrip("#") if len(words) == 3 else ""
            if not (number.isascii() and number.isdigit() and 0 < int(number) < 2**31):
                raise UsageError("Give the review's number, as `/collab reviews` lists it.",
                                 usage=USAGE["reviews remove"])
            return ReviewsRemove(review_id=int(number))
        return Reviews()
    if head[0] in ("reminders", "reminded"):
        return Reminders()
    if head[0] == "history":
        number = words[1].upper() if len(words) == 2 else ""
        if not REGISTER_NUMBER.match(number):
            raise UsageError("Give the decision's register number.", usage=USAGE["history"])
        return History(number=number)
    if head[0] in ("org", "orgs", "organisation", "organisations"):
        return _parse_org(words[1:], head[1:])
    if head[0] == "members":
        return _parse_members(words[1:], head[1:])
    return parse_delegation(words) or parse_checklists(words) or Help()


def _parse_org(rest: list[str], head: list[str]) -> Command:
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
    return Help()


def _parse_members(rest: list[str], head: list[str]) -> Command:
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
    return Help()
