"""Rebuild the tables the audit log describes, and name every table row that differs from it.

Board memberships, votes and every change of position are kept here; proposals and escalations in
audit_governance, authority and escalation chains in audit_delegation, checklist answers in audit_checklists.
An event whose payload lacks what its action needs (forged, or damaged) is one line in `problems`. Actions are
named by the domain events that write them (their `ACTION`), so the replay reads what the events project.

Secret ballots' events name no user: they carry `voter`, a keyed pseudonym, and the votes table is compared
after mapping each of its users to that pseudonym. Secret-ballot events from before pseudonyms existed carry
neither, so their proposals cannot be replayed and are only counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.domain.audit import AuditEvent
from bot.domain.audit_checklists import Answers
from bot.domain.audit_delegation import Authorities, Chains
from bot.domain.audit_governance import Escalations, Proposals
from bot.domain.audit_rows import Malformed, Row, need, row_differences
from bot.domain.events_boards import MemberAdded, MemberRemoved, MemberUpdated, OrganisationRenamed
from bot.domain.events_delegation import AuthoritySet, ChainSet
from bot.domain.events_governance import VoteRecorded

MEMBER_ACTIONS = (MemberAdded.ACTION, MemberUpdated.ACTION)
# Every action the replay reads; the log's other actions change none of the tables it compares.
REPLAYED = frozenset({*MEMBER_ACTIONS, MemberRemoved.ACTION, VoteRecorded.ACTION, OrganisationRenamed.ACTION,
                      *Proposals.ACTIONS, *Escalations.ACTIONS, AuthoritySet.ACTION, ChainSet.ACTION, *Answers.ACTIONS})

MemberKey = tuple[int, str]  # (board_id, user)
VoteKey = tuple[int, str]  # (proposal_id, user, or the voter's pseudonym on a secret ballot)


@dataclass
class Replay:
    """The state the log describes so far; feed it every event in order."""

    members: dict[MemberKey, tuple[str, str]] = field(default_factory=dict)
    votes: dict[VoteKey, str] = field(default_factory=dict)
    history: dict[tuple, Row] = field(default_factory=dict)  # (proposal_id, who, n) -> the n-th position
    changes: Counter = field(default_factory=Counter)  # (proposal_id, who) -> positions recorded
    secret: set[int] = field(default_factory=set)
    unreplayable: set[int] = field(default_factory=set)
    proposals: Proposals = field(default_factory=Proposals)
    escalations: Escalations = field(default_factory=Escalations)
    authorities: Authorities = field(default_factory=Authorities)
    chains: Chains = field(default_factory=Chains)
    answers: Answers = field(default_factory=Answers)
    problems: list[str] = field(default_factory=list)

    def apply(self, event: AuditEvent) -> None:
        """Apply one event; events that change none of the replayed tables are ignored."""
        try:
            self._apply(event)
        except Malformed as exc:
            self.problems.append(f"event {event.seq} {event.action}: {exc}")
        except (TypeError, ValueError, AttributeError):
            self.problems.append(f"event {event.seq} {event.action}: its payload is malformed")

    def _apply(self, event: AuditEvent) -> None:
        p, action = event.payload, event.action
        if action in MEMBER_ACTIONS:
            board, user, organisation, role = need(p, "board_id", "user", "organisation", "role")
            self.members[(board, user)] = (organisation, role)
        elif action == MemberRemoved.ACTION:
            self.members.pop(tuple(need(p, "board_id", "user")), None)
        elif action == VoteRecorded.ACTION:
            self._vote(p)
        elif action == OrganisationRenamed.ACTION:
            self._rename(*need(p, "boards", "was", "name"))
        elif action in Proposals.ACTIONS:
            self.proposals.apply(event)
        elif action in Escalations.ACTIONS:
            self.escalations.apply(event)
        elif action == AuthoritySet.ACTION:
            self.authorities.apply(event)
        elif action == ChainSet.ACTION:
            self.chains.apply(event)
        elif action in Answers.ACTIONS:
            self.answers.apply(event)

    def _rename(self, boards: list[int], was: str, name: str) -> None:
        for key, (organisation, role) in list(self.members.items()):
            if key[0] in boards and organisation == was:
                self.members[key] = (name, role)
        self.authorities.rename(was, name)
        self.chains.rename(was, name)

    def _vote(self, p: dict) -> None:
        proposal, position = need(p, "proposal_id", "position")
        if p.get("user") is not None:
            who, change = p["user"], {"position": position, **({"reason": p["reason"]} if "reason" in p else {})}
        elif p.get("voter") is not None:
            self.secret.add(proposal)
            who, change = p["voter"], {"position": position}
        else:
            self.unreplayable.add(proposal)
            return
        self.votes[(proposal, who)] = position
        self.changes[(proposal, who)] += 1
        self.history[(proposal, who, self.changes[(proposal, who)])] = change


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
        lines.append(_difference(f"votes: proposal {proposal}, {_voter(proposal, who, secret, names)}: ", said, kept))
    return lines


def _voter(proposal: int, who: str, secret: set[int], names: Mapping[VoteKey, str]) -> str:
    if proposal not in secret:
        return f"user {who}"
    if (proposal, who) in names:
        return f"user {names[(proposal, who)]} (secret ballot)"
    return f"secret-ballot voter {who}"


def history_differences(log: Mapping[tuple, Row], table: Mapping[tuple, Row], *, secret: Iterable[int] = (),
                        skip: Iterable[int] = (), names: Mapping[VoteKey, str] | None = None) -> list[str]:
    """One line per change of position (the n-th of a voter on a proposal) that differs between vote_history and
    the log; keys, `secret`, `skip` and `names` as for votes, with n added to the key."""
    secret, skipped, names = set(secret), set(skip), names or {}
    return row_differences(
        "vote_history", log, table, skip={key for key in log.keys() | table.keys() if key[0] in skipped},
        name=lambda key: f"proposal {key[0]}, {_voter(key[0], key[1], secret, names)}, position {key[2]}")
