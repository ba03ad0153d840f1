"""The `/collab` subcommands of the scheme of delegation: authority, chain, deputy, escalations, review-delegated."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.domain.errors import UsageError
from bot.domain.scheme import parse_day
from prompts.usage import DELEGATION_USAGE as USAGE

# With "escape channels, users and links" on, Slack sends a mention as <@U123|name> (or <@U123>).
MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
SUBCOMMANDS = ("authority", "authority set", "chain", "deputy", "escalations", "review-delegated", "rules", "rule")
ALIASES = {"escalation": "escalations", "sign-off": "escalations", "signoff": "escalations",
           "delegated": "review-delegated"}
RULE_WORDS = ("consensus", "unanimous", "supermajority", "majority", "advisory", "default")


@dataclass(frozen=True)
class AuthorityShow:
    """Show someone's delegated authority (your own when nobody is named)."""

    user_id: str | None = None


@dataclass(frozen=True)
class AuthoritySet:
    """Set a member's limit in one category."""

    user_id: str
    category: str
    limit: str
    valid_from: date | None = None
    valid_until: date | None = None


@dataclass(frozen=True)
class AuthorityForm:
    """Open the modal that sets a member's limit."""


@dataclass(frozen=True)
class ChainEdit:
    """Open the modal that edits an organisation's escalation chain."""

    organisation: str


@dataclass(frozen=True)
class DeputyAdd:
    """Name a deputy who answers for an approver over a period."""

    approver: str
    deputy: str
    organisation: str
    from_date: date
    until_date: date


@dataclass(frozen=True)
class Escalations:
    """List the escalations you must answer and those waiting on others."""


@dataclass(frozen=True)
class DelegatedQueue:
    """List the decisions taken under delegation that await the board's review."""


@dataclass(frozen=True)
class RulesShow:
    """List the board's decision rule for each category."""


@dataclass(frozen=True)
class RuleSet:
    """Set (or with rule "default", clear) the board's decision rule for one category."""

    category: str
    rule: str
    threshold: str = ""


DelegationCommand = (AuthorityShow | AuthoritySet | AuthorityForm | ChainEdit | DeputyAdd | Escalations
                     | DelegatedQueue | RulesShow | RuleSet)


def parse_mention(token: str, *, usage: str) -> str:
    """The Slack user id inside a mention token."""
    match = MENTION.match(token)
    if not match:
        raise UsageError("Mention the person with @, for example @Sam.", usage=usage)
    return match.group(1)


def _dates(words: list[str], *, usage: str) -> tuple[list[str], dict[str, date]]:
    """Words with trailing `from DATE` / `until DATE` pairs taken off, and those dates."""
    found: dict[str, date] = {}
    while len(words) >= 2 and words[-2].lower() in ("from", "until", "to"):
        key = "until" if words[-2].lower() in ("until", "to") else "from"
        if key in found:
            raise UsageError(f"Give one “{key}” date.", usage=usage)
        found[key] = parse_day(words[-1], field_name=key)
        words = words[:-2]
    return words, found


def parse_delegation(words: list[str]) -> DelegationCommand | None:
    """The delegation command in `words` (the text after `/collab`), or None if it is not one."""
    head = [w.lower() for w in words[:2]]
    if head[0] == "authority":
        return _authority(words[1:], head[1:])
    if head[0] == "chain":
        if len(words) < 2:
            raise UsageError("Name the organisation whose chain to edit.", usage=USAGE["chain"])
        return ChainEdit(" ".join(words[1:]))
    if head[0] == "deputy":
        return _deputy(words[1:])
    if head[0] in ("escalations", "escalation", "sign-off", "signoff"):
        return Escalations()
    if head[0] in ("review-delegated", "delegated"):
        return DelegatedQueue()
    if head[0] == "rules":
        return RulesShow()
    if head[0] == "rule":
        return _rule(words[1:])
    return None


def _rule(args: list[str]) -> RuleSet:
    threshold = args[-1] if args and any(c in args[-1] for c in "/%.") else ""
    args = args[:-1] if threshold else args
    if len(args) < 2 or args[-1].lower() not in RULE_WORDS:
        raise UsageError("Name the category, then the rule.", usage=USAGE["rule"])
    return RuleSet(category=" ".join(args[:-1]), rule=args[-1].lower(), threshold=threshold)


def _authority(rest: list[str], head: list[str]) -> DelegationCommand:
    if not head:
        return AuthorityShow()
    if head[0] != "set":
        if len(rest) != 1:
            raise UsageError("Name one person, or nobody to see your own.", usage=USAGE["authority"])
        return AuthorityShow(parse_mention(rest[0], usage=USAGE["authority"]))
    usage = USAGE["authority set"]
    if len(rest) == 1:
        return AuthorityForm()
    args, found = _dates(rest[1:], usage=usage)
    if len(args) < 3:
        raise UsageError("Say who, which category and the limit.", usage=usage)
    return AuthoritySet(user_id=parse_mention(args[0], usage=usage), category=" ".join(args[1:-1]), limit=args[-1],
                        valid_from=found.get("from"), valid_until=found.get("until"))


def _deputy(rest: list[str]) -> DelegationCommand:
    usage = USAGE["deputy"]
    args, found = _dates(rest, usage=usage)
    if len(args) < 3 or set(found) != {"from", "until"}:
        raise UsageError("Say whose deputy, who deputises, the organisation, and the dates.", usage=usage)
    return DeputyAdd(approver=parse_mention(args[0], usage=usage), deputy=parse_mention(args[1], usage=usage),
                     organisation=" ".join(args[2:]), from_date=found["from"], until_date=found["until"])
