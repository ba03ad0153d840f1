"""Checking the audit log end to end: its keyed chain, and every table it describes against it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from bot.domain.audit import BrokenLink, check_chain, pseudonym
from bot.domain.audit_checklists import Answers, count_rows
from bot.domain.audit_delegation import legacy_rows
from bot.domain.audit_replay import Replay, history_differences, member_differences, vote_differences
from bot.domain.audit_rows import row_differences
from storage.audit import member_table, read_events, read_head, vote_table
from storage.audit_tables import (
    answer_table,
    authority_table,
    chain_table,
    escalation_table,
    history_table,
    organisation_names,
    proposal_table,
    tally_table,
)
from storage.uow import Database, UnitOfWork


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


def verify_audit(db: Database, *, expect: tuple[int, str] | None = None) -> AuditReport:
    """Walk the whole chain in order under the audit key; if it holds, replay it and compare the tables.

    `expect` is a `(seq, hash)` the operator saved earlier: the event there must still have that hash.
    """
    with db.read() as uow:
        _one_snapshot(uow)
        head_seq, head_hash = read_head(uow.session)
        replay = Replay()

        def replayed():
            for event in read_events(uow.session):
                replay.apply(event)
                yield event

        chain = check_chain(replayed(), head_seq=head_seq, head_hash=head_hash, key=db.audit_key, expect=expect)
        if chain.broken is not None:
            return AuditReport(chain.events, chain.broken)
        differences = _votes(db.audit_key, replay, member_table(uow.session), vote_table(uow.session),
                             history_table(uow.session))
        differences += _governance(uow.session, replay)
        answers, unlogged, uncounted = _answers(uow.session, replay.answers)
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
    changes, counted = {}, Counter()
    for proposal, user, position, reason, is_secret in history:
        who = pseudonym(key, proposal, user) if is_secret else user
        counted[(proposal, who)] += 1
        changes[(proposal, who, counted[(proposal, who)])] = {"position": position, "reason": reason}
        if is_secret:
            names[(proposal, who)] = user
    return (member_differences(replay.members, members)
            + vote_differences(replay.votes, table, secret=secret, skip=replay.unreplayable, names=names)
            + history_differences(replay.history, changes, secret=secret, skip=replay.unreplayable, names=names))


def _governance(session, replay: Replay) -> list[str]:
    """Proposals, escalations, authorities and escalation chains."""
    names = organisation_names(session)
    authorities, levels = authority_table(session), chain_table(session)
    log, chains = replay.authorities, replay.chains

    def organisation(key: tuple) -> str:
        return names.get(key[0], f"organisation {key[0]}")

    return (row_differences("proposals", replay.proposals.rows, proposal_table(session),
                            name=lambda k: f"proposal {k[0]}")
            + row_differences("escalations", replay.escalations.rows, escalation_table(session),
                              name=lambda k: f"escalation {k[0]}")
            + row_differences("authorities", log.rows, authorities,
                              skip=log.unprovable | legacy_rows(authorities, names, set(log.latest), log.legacy),
                              name=lambda k: f"{organisation(k)}, user {k[1]}, {k[2]}, version {k[3]}")
            + row_differences("chain_levels", chains.rows, levels,
                              skip=legacy_rows(levels, names, chains.organisations, chains.legacy),
                              name=lambda k: f"{organisation(k)}, level {k[1]}"))


def _answers(session, log: Answers) -> tuple[list[str], int, int]:
    """Attributed answers the log can account for, and closed unattributed rounds' counts; how many rounds hold
    answers from before the log recorded them, and how many unattributed rounds with answers are still open."""
    named, unlogged = {}, set()
    for round_id, user, question, value, note, evidence in answer_table(session):
        if log.logs_every_answer(round_id) or (round_id, user, question) in log.rows:
            named[(round_id, user, question)] = {"value": value, "note": note, "evidence": evidence}
        else:
            unlogged.add(round_id)
    tallies = tally_table(session)
    uncounted = {r for r, _, _, n in tallies if n and r not in log.counted}
    return (row_differences("checklist_answers", log.rows, named,
                            name=lambda k: f"round {k[0]}, user {k[1]}, question {k[2]}")
            + row_differences("checklist_tallies", log.counts, count_rows(tallies, log.counted),
                              name=lambda k: f"round {k[0]}, question {k[1]}, answer {k[2]}"),
            len(unlogged), len(uncounted))


def current_head(db: Database) -> tuple[int, str]:
    """The chain's recorded tip: its last sequence number and hash."""
    with db.read() as uow:
        return read_head(uow.session)


def _one_snapshot(uow: UnitOfWork) -> None:
    # Read the log and the tables as of one moment, so a vote landing mid-check is not reported as a difference.
    # SQLite's read transaction already is one snapshot under WAL.
    if uow.session.get_bind().dialect.name == "postgresql":
        uow.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
