"""Checking the audit log end to end: its keyed chain, and the members and votes tables against it."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain.audit import BrokenLink, check_chain, pseudonym
from bot.domain.audit_replay import Replay, member_differences, vote_differences
from storage.audit import member_table, read_events, read_head, vote_table
from storage.uow import Database, UnitOfWork


@dataclass(frozen=True)
class AuditReport:
    """What verification found: the chain's first broken link, and every table row the log disagrees with."""

    events: int
    broken: BrokenLink | None
    differences: list[str] = field(default_factory=list)
    skipped_secret_ballots: int = 0  # secret ballots whose votes predate pseudonyms in the log

    @property
    def intact(self) -> bool:
        """Whether the chain verifies and the tables match it."""
        return self.broken is None and not self.differences


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
        members, votes = member_table(uow.session), vote_table(uow.session)
    table, names, secret = {}, {}, set(replay.secret)
    for proposal, user, position, is_secret in votes:
        who = pseudonym(db.audit_key, proposal, user) if is_secret else user
        table[(proposal, who)] = position
        if is_secret:
            names[(proposal, who)] = user
            secret.add(proposal)
    differences = member_differences(replay.members, members) + vote_differences(
        replay.votes, table, secret=secret, skip=replay.unreplayable, names=names)
    return AuditReport(chain.events, None, differences, len(replay.unreplayable))


def current_head(db: Database) -> tuple[int, str]:
    """The chain's recorded tip: its last sequence number and hash."""
    with db.read() as uow:
        return read_head(uow.session)


def _one_snapshot(uow: UnitOfWork) -> None:
    # Read the log and the tables as of one moment, so a vote landing mid-check is not reported as a difference.
    # SQLite's read transaction already is one snapshot under WAL.
    if uow.session.get_bind().dialect.name == "postgresql":
        uow.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
