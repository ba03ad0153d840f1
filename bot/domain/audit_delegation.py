"""Rebuild the scheme of delegation from the audit log: every version of every member's authority (the versions a
new limit supersedes, and what is left of them outside its dates, follow the same rules as when it was saved), and
every organisation's escalation chain, as rows to compare with the tables.

Organisations are keyed by id, which events carry from this version on. Older events name the organisation only,
and a name can be used in several workspaces, so what they describe is not compared: `legacy` holds those names
(with every name a rename gave them), so that the table's rows they made can be left out too.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from bot.domain.audit import AuditEvent
from bot.domain.audit_rows import Malformed, Row, need
from bot.domain.scheme import Authority, overlaps, remainders

Member = tuple[int, str, str]  # (organisation_id, user, category)


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text is not None else None
    except (TypeError, ValueError):
        raise Malformed(f"{text!r} is not a date") from None


def _first_day(text: str) -> date:
    day = _day(text)
    if day is None:
        raise Malformed("None is not a date")
    return day


@dataclass
class Authorities:
    """Each version of each member's authority: (organisation, user, category, version) -> columns."""

    rows: dict[tuple, Row] = field(default_factory=dict)
    unprovable: set[tuple] = field(default_factory=set)  # versions the log cannot account for
    current: dict[Member, list[Authority]] = field(default_factory=dict)
    latest: dict[Member, int] = field(default_factory=dict)
    legacy: set[tuple[str, str, str]] = field(default_factory=set)  # (organisation name, user, category)

    def apply(self, event: AuditEvent) -> None:
        """Apply an `authority.set` event: the new version supersedes those its dates overlap."""
        organisation, user, category, limit, starts, version = need(
            event.payload, "organisation", "user", "category", "limit", "valid_from", "version")
        if "organisation_id" not in event.payload:
            self.legacy.add((organisation, user, category))
            return
        member = (event.payload["organisation_id"], user, category)
        new = Authority(user_id=user, organisation_id=0, category=category, valid_from=_first_day(starts),
                        valid_until=_day(event.payload.get("valid_until")), granted_by=event.actor, version=version)
        kept, pieces, number = [], [], self.latest.get(member, 0)
        for old in self.current.get(member, []):
            if overlaps(old, new):
                self.rows[(*member, old.version)]["superseded"] = True
                pieces += [(old.version, piece) for piece in remainders(old, new)]
            else:
                kept.append(old)
        if number + len(pieces) + 1 != version:
            # The log and the table numbered versions differently (the log is older than these rules): the
            # versions in between cannot be told apart, so they are not compared.
            self.unprovable.update((*member, v) for v in range(number + 1, version))
            pieces = []
        for was, piece in pieces:
            number += 1
            piece = replace(piece, version=number)
            self.rows[(*member, number)] = self._row(piece, self.rows[(*member, was)]["limit"])
            kept.append(piece)
        self.rows[(*member, version)] = self._row(new, limit)
        self.current[member], self.latest[member] = [*kept, new], max(version, self.latest.get(member, 0))

    @staticmethod
    def _row(a: Authority, limit: str) -> Row:
        return {"limit": limit, "valid_from": a.valid_from.isoformat(),
                "valid_until": a.valid_until.isoformat() if a.valid_until else None, "granted_by": a.granted_by,
                "superseded": False}

    def rename(self, was: str, name: str) -> None:
        """An organisation (in some workspace) now goes by another name."""
        self.legacy |= {(name, *k[1:]) for k in self.legacy if k[0] == was}


@dataclass
class Chains:
    """Each level of each organisation's escalation chain: (organisation, position) -> columns."""

    rows: dict[tuple, Row] = field(default_factory=dict)
    organisations: set[tuple[int]] = field(default_factory=set)  # (id,) of those whose chain the log describes
    legacy: set[tuple[str]] = field(default_factory=set)  # (name,) of organisations whose chain predates ids

    def apply(self, event: AuditEvent) -> None:
        """Apply a `chain.set` event: the levels replace the organisation's whole chain, numbered from 1."""
        name, levels = need(event.payload, "organisation", "levels")
        if not isinstance(levels, list):
            raise Malformed("levels is not a list")
        if "organisation_id" not in event.payload:
            self.legacy.add((name,))
            return
        organisation = event.payload["organisation_id"]
        self.organisations.add((organisation,))
        self.rows = {k: v for k, v in self.rows.items() if k[0] != organisation}
        for position, level in enumerate(levels, start=1):
            title, approvers, channel, limit, days = need(
                level, "title", "approvers", "channel", "limit_pence", "response_days")
            self.rows[(organisation, position)] = {
                "title": title, "approvers": " ".join(approvers), "channel_id": channel, "limit_pence": limit,
                "response_days": days, **({"approves_other": level["approves_other"]} if "approves_other" in level
                                          else {})}

    def rename(self, was: str, name: str) -> None:
        """An organisation (in some workspace) now goes by another name."""
        if (was,) in self.legacy:
            self.legacy.add((name,))


def legacy_rows(table: dict[tuple, Row], names: dict[int, str], described: set[tuple],
                legacy: set[tuple]) -> set[tuple]:
    """The table's rows that only events from before ids describe: rows whose owner (all but the last part of the
    key: the organisation, with user and category for authority) the log never described by id, but whose
    organisation's name it used for that owner."""
    return {key for key in table
            if key[:-1] not in described and (names.get(key[0]), *key[1:-1]) in legacy}
