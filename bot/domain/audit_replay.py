"""Rebuild board memberships and votes from the audit log, and name every table row that differs from it.

Secret ballots' events name no user: they carry `voter`, a keyed pseudonym, and the votes table is compared
after mapping each of its users to that pseudonym. Secret-ballot events from before pseudonyms existed carry
neither, so their proposals cannot be replayed and are only counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.domain.audit import AuditEvent

MEMBER_ACTIONS = ("member.added", "member.updated")

MemberKey = tuple[int, str]  # (board_id, user)
VoteKey = tuple[int, str]  # (proposal_id, user, or the voter's pseudonym on a secret ballot)


@dataclass
class Replay:
    """The state the log describes so far; feed it every event in order."""

    members: dict[MemberKey, tuple[str, str]] = field(default_factory=dict)
    votes: dict[VoteKey, str] = field(default_factory=dict)
    secret: set[int] = field(default_factory=set)
    unreplayable: set[int] = field(default_factory=set)

    def apply(self, event: AuditEvent) -> None:
        """Apply one event; events that change neither members nor votes are ignored."""
        p = event.payload
        if event.action in MEMBER_ACTIONS:
            self.members[(p["board_id"], p["user"])] = (p["organisation"], p["role"])
        elif event.action == "member.removed":
            self.members.pop((p["board_id"], p["user"]), None)
        elif event.action == "vote.recorded":
            self._vote(p)
        elif event.action == "organisation.renamed":
            for key, (organisation, role) in list(self.members.items()):
                if key[0] in p["boards"] and organisation == p["was"]:
                    self.members[key] = (p["name"], role)

    def _vote(self, p: dict) -> None:
        proposal = p["proposal_id"]
        if p.get("user") is not None:
            self.votes[(proposal, p["user"])] = p["position"]
        elif p.get("voter") is not None:
            self.secret.add(proposal)
            self.votes[(proposal, p["voter"])] = p["position"]
        else:
            self.unreplayable.add(proposal)


def _describe(value: tuple[str, str]) -> str:
    organisation, role = value
    return f"{role} for {organisation}"


def member_differences(log: Mapping[MemberKey, tuple[str, str]],
                       table: Mapping[MemberKey, tuple[str, str]]) -> list[str]:
    """One line per (board, user) whose organisation and role differ between the members table and the log."""
    lines = []
    for board_id, user in sorted(log.keys() | table.keys()):
        said, kept = log.get((board_id, user)), table.get((board_id, user))
        if said == kept:
            continue
        lines.append(_difference(f"members: board {board_id}, user {user}: ",
                                 said and _describe(said), kept and _describe(kept)))
    return lines


def _difference(where: str, said: str | None, kept: str | None) -> str:
    """One line saying how the log (`said`) and the table (`kept`) disagree about one row."""
    if kept is None:
        return where + f"in the log ({said}) but not in the table"
    if said is None:
        return where + f"in the table ({kept}) but not in the log"
    return where + f"the table says {kept}, the log says {said}"


def vote_differences(log: Mapping[VoteKey, str], table: Mapping[VoteKey, str], *, secret: Iterable[int] = (),
                     skip: Iterable[int] = (), names: Mapping[VoteKey, str] | None = None) -> list[str]:
    """One line per vote whose position differs between the votes table and the log.

    `secret` holds the secret ballots, whose keys are pseudonyms and `names` maps them back to the table's
    users where it can; `skip` holds proposals that cannot be replayed.
    """
    secret, skipped, names = set(secret), set(skip), names or {}
    lines = []
    for proposal, who in sorted(log.keys() | table.keys()):
        said, kept = log.get((proposal, who)), table.get((proposal, who))
        if proposal in skipped or said == kept:
            continue
        if proposal not in secret:
            voter = f"user {who}"
        elif (proposal, who) in names:
            voter = f"user {names[(proposal, who)]} (secret ballot)"
        else:
            voter = f"secret-ballot voter {who}"
        lines.append(_difference(f"votes: proposal {proposal}, {voter}: ", said, kept))
    return lines
