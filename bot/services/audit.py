"""Checking the audit log end to end: its keyed chain, and every table it describes against it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from bot.domain.audit import BrokenLink, check_chain, pseudonym
from bot.domain.audit_checklists import Answers, count_rows
from bot.domain.audit_delegation import legacy_rows
from bot.domain.audit_replay import Replay, history_differences, member_differences, vote_differences
from bot.domain.audit_rows import row_differences
from bot.services.repositories_outbox import AuditTables
from bot.services.uow import AbstractDatabase


@dataclass(frozen=True)
class AuditReport:
    """What verification found: the chain's first broken link, and every table row the log disagrees with."""

    events: int
    broken: BrokenLink | None
    differences: list[str] = field(default_factory=list)
    skipped_secret_ballots: int = 0  # secret ballots whose votes predate pseudonyms in the log
    problems: list[str] = field(default_factory=list)  # events whose payload could not be replayed
    unlogged_rounds: int = 0  # checklist rounds whose answers predate the log recording them
    open_unattributed_rounds: int = 0  # unattributed rounds with answers, whose counts the log holds once closed

    @property
    def intact(self) -> bool:
        """Whether the chain verifies, every event replays and the tables match it."""
        return self.broken is None and not self.differences and not self.problems


def verify_audit(db: AbstractDatabase, *, expect: tuple[int, str] | None = None) -> AuditReport:
    """Walk the whole chain in order under the audit key; if it holds, replay it and compare the tables.

    `expect` is a `(seq, hash)` the operator saved earlier: the event there must still have that hash.
    """
    with db.read() as uow:
        tables = uow.audit_tables
        tables.snapshot()
        head_seq, head_hash = tables.head()
        replay = Replay()

        def replayed():
            for event in tables.events():
                replay.apply(event)
                yield event

        chain = check_chain(replayed(), head_seq=head_seq, head_hash=head_hash, key=db.audit_key, expect=expect)
        if chain.broken is not None:
            return AuditReport(chain.events, chain.broken)
        differences = _votes(db.audit_key, replay, tables.members(), tables.votes(), tables.history())
        differences += _governance(tables, replay)
        answers, unlogged, uncounted = _answers(tables, replay.answers)
    return AuditReport(chain.events, None, differences + answers, len(replay.unreplayable), replay.problems,
                       unlogged, uncounted)


def _votes(key: bytes, replay: Replay, members: dict, votes: list, history: list) -> list[str]:
    """Members, votes and every change of position; secret ballots' users are mapped to their pseudonyms."""
    table, names, secret = {}, {}, set(replay.secret)
    for proposal, user, position, is_secret in votes:
        who = pseudonym(key, proposal, user) if is_secret else user
        table[(proposal, who)] = position
        if is_secret:
            names[(proposal, who)] = user
            secret.add(proposal)
    changes, counted = {}, Counter[tuple[int, str]]()
    for proposal, user, position, reason, is_secret in history:
        who = pseudonym(key, proposal, user) if is_secret else user
        counted[(proposal, who)] += 1
        changes[(proposal, who, counted[(proposal, who)])] = {"position": position, "reason": reason}
        if is_secret:
            names[(proposal, who)] = user
    return (member_differences(replay.members, members)
            + vote_differences(replay.votes, table, secret=secret, skip=replay.unreplayable, names=names)
            + history_differences(replay.history, changes, secret=secret, skip=replay.unreplayable, names=names))


def _governance(tables: AuditTables, replay: Replay) -> list[str]:
    """Proposals, escalations, authorities and escalation chains."""
    names = tables.organisation_names()
    authorities, levels = tables.authorities(), tables.chain_levels()
    log, chains = replay.authorities, replay.chains

    def organisation(key: tuple) -> str:
        return names.get(key[0], f"organisation {key[0]}")

    return (row_differences("proposals", replay.proposals.rows, tables.proposals(),
                            name=lambda k: f"proposal {k[0]}")
            + row_differences("escalations", replay.escalations.rows, tables.escalations(),
                              name=lambda k: f"escalation {k[0]}")
            + row_differences("authorities", log.rows, authorities,
                              skip=log.unprovable | legacy_rows(authorities, names, set(log.latest), log.legacy),
                              name=lambda k: f"{organisation(k)}, user {k[1]}, {k[2]}, version {k[3]}")
            + row_differences("chain_levels", chains.rows, levels,
                              skip=legacy_rows(levels, names, chains.organisations, chains.legacy),
                              name=lambda k: f"{organisation(k)}, level {k[1]}"))


def _answers(tables: AuditTables, log: Answers) -> tuple[list[str], int, int]:
    """Attributed answers the log can account for, and closed unattributed rounds' counts; how many rounds hold
    answers from before the log recorded them, and how many unattributed rounds with answers are still open."""
    named, unlogged = {}, set()
    for round_id, user, question, value, note, evidence in tables.answers():
        if log.logs_every_answer(round_id) or (round_id, user, question) in log.rows:
            named[(round_id, user, question)] = {"value": value, "note": note, "evidence": evidence}
        else:
            unlogged.add(round_id)
    tallies = tables.tallies()
    uncounted = {r for r, _, _, n in tallies if n and r not in log.counted}
    return (row_differences("checklist_answers", log.rows, named,
                            name=lambda k: f"round {k[0]}, user {k[1]}, question {k[2]}")
            + row_differences("checklist_tallies", log.counts, count_rows(tallies, log.counted),
                              name=lambda k: f"round {k[0]}, question {k[1]}, answer {k[2]}"),
            len(unlogged), len(uncounted))


def current_head(db: AbstractDatabase) -> tuple[int, str]:
    """The chain's recorded tip: its last sequence number and hash."""
    with db.read() as uow:
        return uow.audit_tables.head()

