"""Decision rules over recorded positions: consensus, unanimity, supermajority, majority, advisory."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from fractions import Fraction

from bot.domain.boards import DecisionRule
from bot.domain.errors import InvalidValue


class Position(StrEnum):
    """What a member can say about a proposal."""

    AGREE = "agree"
    RESERVATIONS = "reservations"
    STAND_ASIDE = "stand_aside"
    OBJECT = "object"
    ABSTAIN = "abstain"


POSITIONS_NEEDING_REASON = frozenset({Position.OBJECT, Position.RESERVATIONS})
AGREEING = frozenset({Position.AGREE, Position.RESERVATIONS})
DEFAULT_SUPERMAJORITY = Fraction(2, 3)


class Outcome(StrEnum):
    """How a poll ended."""

    AGREED = "agreed"
    AGREED_SUBJECT = "agreed_subject"  # the rule passed, but some organisation has not yet endorsed it
    NOT_AGREED = "not_agreed"
    NO_QUORUM = "no_quorum"
    WITHDRAWN = "withdrawn"
    NOTED = "noted"  # an advisory sense check has no outcome, only a record of views


@dataclass(frozen=True)
class Quorum:
    """How much participation a poll needs: a count, a fraction of those eligible, or every organisation."""

    count: int | None = None
    fraction: Fraction | None = None
    every_organisation: bool = False

    def describe(self) -> str:
        """The quorum in words."""
        if self.every_organisation:
            return "every organisation represented"
        if self.fraction is not None:
            return f"{self.fraction.numerator}/{self.fraction.denominator} of those eligible"
        return f"{self.count} {'vote' if self.count == 1 else 'votes'}"

    def encode(self) -> str:
        """A compact form for storage, read back by parse_quorum."""
        if self.every_organisation:
            return "orgs"
        if self.fraction is not None:
            return f"{self.fraction.numerator}/{self.fraction.denominator}"
        return str(self.count)


def parse_fraction(raw: str, *, field_name: str, label: str) -> Fraction:
    """A fraction from "2/3", "66%", "0.5"; strictly between 0 and 1 inclusive of 1."""
    text = raw.strip().rstrip("%")
    try:
        value = Fraction(text) / (100 if raw.strip().endswith("%") else 1)
    except (ValueError, ZeroDivisionError):
        raise InvalidValue(f"Give the {label} as a fraction such as 2/3 or a percentage such as 75%.",
                           field=field_name) from None
    if not 0 < value <= 1:
        raise InvalidValue(f"The {label} must be more than 0 and at most 1 (100%).", field=field_name)
    return value


def parse_quorum(raw: str, *, field_name: str = "quorum") -> Quorum:
    """A quorum from "3", "1/2", "60%", or "orgs" / "every organisation"."""
    text = " ".join(raw.lower().split())
    if text.replace("organization", "organisation") in (
            "orgs", "organisations", "every organisation", "all organisations", "each organisation"):
        return Quorum(every_organisation=True)
    if text.isascii() and text.isdigit():
        count = int(text)
        if not 1 <= count <= 10_000:
            raise InvalidValue("A quorum count must be between 1 and 10,000.", field=field_name)
        return Quorum(count=count)
    if "/" in text or "%" in text or "." in text:
        return Quorum(fraction=parse_fraction(text, field_name=field_name, label="quorum"))
    raise InvalidValue('Give the quorum as a number (3), a fraction (1/2 or 60%), or "every organisation".',
                       field=field_name)


@dataclass(frozen=True)
class Vote:
    """A member's current position and when they first took part."""

    user_id: str
    organisation: str
    position: Position
    first_at: datetime
    reason: str = ""
    proxy_by: str | None = None
    organisation_id: int = field(default=0, compare=False)


@dataclass(frozen=True)
class PositionChange:
    """One position a member took, in order: the vote history of a proposal."""

    user_id: str
    position: Position
    at: datetime
    reason: str = ""
    proxy_by: str | None = None


@dataclass(frozen=True)
class VoteReceipt:
    """What recording a position did: the position, whether it changed, whether the poll then closed."""

    position: Position
    changed: bool
    closed: bool
    counted_for: str | None = None  # with one vote per organisation: whose position counts instead
    nominated: bool = False  # ...and whether that is because the chair nominated them


@dataclass(frozen=True)
class Voter:
    """Someone eligible to vote: a voting member who is not recused."""

    user_id: str
    organisation: str
    org_voter: bool = False
    organisation_id: int = field(default=0, compare=False)


def organisation_speakers(votes: list[Vote], eligible: list[Voter]) -> dict[str, str]:
    """Per organisation, whose position counts when it has one vote: its nominated voter, else its first voter."""
    speakers = {v.organisation: v.user_id for v in eligible if v.org_voter}
    for vote in sorted(votes, key=lambda v: (v.first_at, v.user_id)):
        speakers.setdefault(vote.organisation, vote.user_id)
    return speakers


@dataclass
class Tally:
    """The counted positions, and who has and has not voted."""

    counts: dict[Position, int]
    counted: list[Vote]
    waiting: list[Voter]
    eligible_units: int
    organisations: set[str]
    organisations_voted: set[str]
    per_organisation: bool
    superseded: list[Vote] = field(default_factory=list)

    @property
    def cast(self) -> int:
        """Positions counted, abstentions included."""
        return sum(self.counts.values())

    def count(self, *positions: Position) -> int:
        """How many counted votes took any of `positions`."""
        return sum(self.counts[p] for p in positions)


def tally(votes: list[Vote], eligible: list[Voter], *, per_organisation: bool = False) -> Tally:
    """Count the votes of eligible voters; with one vote per organisation, only its speaker's counts."""
    allowed = {v.user_id for v in eligible}
    current = sorted((v for v in votes if v.user_id in allowed), key=lambda v: (v.first_at, v.user_id))
    speakers = organisation_speakers(current, eligible) if per_organisation else {}
    counted = [v for v in current if not per_organisation or speakers[v.organisation] == v.user_id]
    superseded = [v for v in current if per_organisation and speakers[v.organisation] != v.user_id]
    seen_orgs = {v.organisation for v in counted}
    voted_users = {v.user_id for v in current}
    organisations = {v.organisation for v in eligible}
    # With one vote per organisation, an organisation waits only on its speaker once it has one.
    waiting = [v for v in eligible if v.user_id not in voted_users and (
        not per_organisation or (v.organisation not in seen_orgs and speakers.get(v.organisation, v.user_id)
                                 == v.user_id))]
    counts = {p: 0 for p in Position}
    for vote in counted:
        counts[vote.position] += 1
    units = len(organisations) if per_organisation else len(eligible)
    return Tally(counts, counted, waiting, units, organisations, seen_orgs, per_organisation, superseded)


def quorum_needed(quorum: Quorum, t: Tally) -> int:
    """How many counted votes the quorum asks for (organisations when voting per organisation)."""
    if quorum.every_organisation:
        return len(t.organisations)
    if quorum.fraction is not None:
        return max(1, math.ceil(quorum.fraction * t.eligible_units))
    return quorum.count or 1


def quorum_met(quorum: Quorum, t: Tally) -> bool:
    """Whether enough of those eligible took part (every organisation, when that is the quorum)."""
    if quorum.every_organisation:
        return bool(t.organisations) and t.organisations <= t.organisations_voted
    return t.cast >= quorum_needed(quorum, t)


@dataclass(frozen=True)
class Result:
    """The outcome of a poll and the reasons for it, in plain words."""

    outcome: Outcome
    reasons: tuple[str, ...]


def decide(rule: DecisionRule, t: Tally, *, quorum: Quorum, threshold: Fraction = DEFAULT_SUPERMAJORITY) -> Result:
    """Apply the decision rule to a tally."""
    if rule is DecisionRule.ADVISORY:
        return Result(Outcome.NOTED, ("Advisory sense check: views recorded, no decision taken.",))
    if rule is DecisionRule.UNANIMOUS:
        return _unanimous(t)
    if not quorum_met(quorum, t):
        return Result(Outcome.NO_QUORUM, (f"Quorum not met: needed {quorum.describe()}, {_took_part(t)}.",))
    agree, objections = t.count(*AGREEING), t.count(Position.OBJECT)
    if rule is DecisionRule.CONSENSUS:
        if objections:
            return Result(Outcome.NOT_AGREED, (f"{_n(objections, 'objection')} blocked consensus.",))
        if not agree:
            return Result(Outcome.NOT_AGREED, ("Nobody objected, but nobody agreed either.",))
        return Result(Outcome.AGREED, ("Quorum met and nobody objected.",))
    if rule is DecisionRule.SUPERMAJORITY:
        decisive = agree + objections
        if decisive and Fraction(agree, decisive) >= threshold:
            return Result(Outcome.AGREED, (f"{agree} of {decisive} agreed, at least {_frac(threshold)} needed.",))
        return Result(Outcome.NOT_AGREED, (f"{agree} of {decisive} agreed; {_frac(threshold)} was needed.",))
    # Simple majority: more than half of the votes cast for or against agree.
    decisive = agree + objections
    if decisive and agree * 2 > decisive:
        return Result(Outcome.AGREED, (f"{agree} of {decisive} votes cast agreed.",))
    return Result(Outcome.NOT_AGREED, (f"{agree} of {decisive} votes cast agreed; more than half was needed.",))


def _unanimous(t: Tally) -> Result:
    agree = t.count(*AGREEING)
    if t.eligible_units and agree == t.eligible_units:
        return Result(Outcome.AGREED, ("Everyone eligible agreed.",))
    missing = t.eligible_units - t.cast
    reasons = [f"{agree} of {t.eligible_units} agreed; unanimity needs everyone."]
    if missing > 0:
        reasons.append(f"{missing} did not vote.")
    return Result(Outcome.NOT_AGREED, tuple(reasons))


def everyone_has_voted(t: Tally) -> bool:
    """Whether every eligible voter (or organisation) has a counted position, so the poll may close early."""
    return t.eligible_units > 0 and not t.waiting


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _frac(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def _took_part(t: Tally) -> str:
    if t.per_organisation:
        return f"{len(t.organisations_voted)} of {len(t.organisations)} organisations took part"
    return f"{t.cast} of {t.eligible_units} took part"
