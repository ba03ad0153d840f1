"""The scheme of delegation: members' authority per category (every version kept), escalation chains and
deputies."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from bot.domain.boards import MANAGING_ROLES
from bot.domain.delegation import Chain, Deputy, Level, SignOffScope
from bot.domain.scheme import Authority, overlaps, remainders
from bot.services import repositories_delegation as ports
from storage.models import BoardRow, MemberRow, Organisation
from storage.models_delegation import AuthorityRow, ChainLevelRow, DeputyRow


def _authority(row: AuthorityRow) -> Authority:
    return Authority(user_id=row.user_id, organisation_id=row.organisation_id, category=row.category,
                     amount_pence=row.amount_pence, unlimited=row.unlimited, allowed=row.allowed,
                     valid_from=row.valid_from, valid_until=row.valid_until, granted_by=row.granted_by,
                     version=row.version)


class AuthorityRepository(ports.AuthorityRepository):
    def __init__(self, session: Session):
        self.session = session

    def _current(self):
        return select(AuthorityRow).where(AuthorityRow.superseded_at.is_(None))

    def _member(self, organisation_id: int, user_id: str, category: str):
        return (AuthorityRow.organisation_id == organisation_id, AuthorityRow.user_id == user_id,
                AuthorityRow.category == category)

    def current(self, organisation_id: int, user_id: str, category: str, *, on: date) -> Authority | None:
        """The member's authority in a category in force on `on`, or the next one to start after it."""
        rows = self.session.execute(self._current().where(*self._member(organisation_id, user_id, category))
                                    .order_by(AuthorityRow.valid_from)).scalars().all()
        found = [_authority(r) for r in rows]
        return (next((a for a in found if a.in_force(on)), None)
                or next((a for a in found if a.valid_from > on), None))

    def put(self, authority: Authority, *, by: str, at: datetime) -> Authority:
        """Record a new version of a member's authority. Versions whose dates overlap it are kept, superseded, and
        what lay outside its period is recorded again, so a limit raised from a later date leaves today's alone."""
        return self.put_many([replace(authority, granted_by=by)], at=at)[0]

    def put_many(self, authorities: list[Authority], *, at: datetime) -> list[Authority]:
        """`put` for many grants (each granted by its own granted_by): one query to read, one to insert the lot."""
        keys = {(a.organisation_id, a.user_id, a.category) for a in authorities}
        if not keys:
            return []
        members = (AuthorityRow.organisation_id.in_({k[0] for k in keys}),
                   AuthorityRow.user_id.in_({k[1] for k in keys}), AuthorityRow.category.in_({k[2] for k in keys}))
        found = self.session.execute(select(AuthorityRow.organisation_id, AuthorityRow.user_id, AuthorityRow.category,
                                            func.max(AuthorityRow.version)).where(*members).group_by(
            AuthorityRow.organisation_id, AuthorityRow.user_id, AuthorityRow.category))
        versions: dict[tuple[int, str, str], int] = {(o, u, c): v for o, u, c, v in found}
        # Only current versions whose dates may overlap the batch's: the rest are left as they are.
        starts, ends = min(a.valid_from for a in authorities), max(a.valid_until or date.max for a in authorities)
        current: dict[tuple[int, str, str], list[tuple[Authority, AuthorityRow | dict]]] = {}
        for row in self.session.execute(self._current().where(
                *members, AuthorityRow.valid_from <= ends,
                AuthorityRow.valid_until.is_(None) | (AuthorityRow.valid_until >= starts))).scalars():
            current.setdefault((row.organisation_id, row.user_id, row.category), []).append((_authority(row), row))
        new: list[dict] = []
        saved = []
        for authority in authorities:
            key = (authority.organisation_id, authority.user_id, authority.category)
            kept: list[Authority] = []
            for old, row in list(current.get(key, ())):
                if overlaps(old, authority):
                    if isinstance(row, dict):
                        row["superseded_at"] = at
                    else:
                        row.superseded_at = at
                    current[key].remove((old, row))
                    kept += remainders(old, authority)
            for piece in [*kept, authority]:
                versions[key] = versions.get(key, 0) + 1
                piece = replace(piece, version=versions[key])
                values = dict(organisation_id=piece.organisation_id, user_id=piece.user_id, category=piece.category,
                              amount_pence=piece.amount_pence, unlimited=piece.unlimited, allowed=piece.allowed,
                              valid_from=piece.valid_from, valid_until=piece.valid_until, version=piece.version,
                              granted_by=piece.granted_by, granted_at=at, superseded_at=None)
                new.append(values)
                current.setdefault(key, []).append((piece, values))
            saved.append(piece)
        self.session.flush()  # the superseded versions first
        self.session.execute(insert(AuthorityRow), new)
        return saved

    def sign_off_scope(self, workspace_id: int) -> SignOffScope:
        """The categories anyone in the workspace holds a limit in, and whether any escalation chain is recorded."""
        orgs = select(Organisation.id).where(Organisation.workspace_id == workspace_id)
        limited = self.session.execute(select(AuthorityRow.category).distinct().where(
            AuthorityRow.organisation_id.in_(orgs), AuthorityRow.superseded_at.is_(None))).scalars().all()
        chain = select(ChainLevelRow.position).where(ChainLevelRow.organisation_id.in_(orgs)).limit(1)
        return SignOffScope(frozenset(limited), self.session.execute(chain).first() is not None)

    def grantors(self, workspace_id: int) -> dict[int, set[str]]:
        """Who may grant authority for each organisation: the chairs and secretaries of the boards it sits on."""
        in_workspace = (BoardRow.id == MemberRow.board_id, BoardRow.workspace_id == workspace_id)
        managers: dict[int, set[str]] = {}
        for board_id, user_id in self.session.execute(select(MemberRow.board_id, MemberRow.user_id).join(
                BoardRow, in_workspace[0]).where(in_workspace[1],
                                                 MemberRow.role.in_([r.value for r in MANAGING_ROLES]))):
            managers.setdefault(board_id, set()).add(user_id)
        found: dict[int, set[str]] = {}
        for board_id, organisation_id in self.session.execute(select(
                MemberRow.board_id, MemberRow.organisation_id).distinct().join(BoardRow, in_workspace[0])
                .where(in_workspace[1])):
            found.setdefault(organisation_id, set()).update(managers.get(board_id, ()))
        return found

    def of_members(self, organisation_ids: Iterable[int], user_ids: Iterable[str], category: str) -> list[Authority]:
        """The current authority of some members in one category (for deciding who must sign off)."""
        rows = self.session.execute(self._current().where(
            AuthorityRow.organisation_id.in_(list(organisation_ids)), AuthorityRow.user_id.in_(list(user_ids)),
            AuthorityRow.category == category)).scalars()
        return [_authority(r) for r in rows]

    def as_it_stood(self, organisation_ids: Iterable[int], user_ids: Iterable[str], category: str,
                    at: datetime) -> list[Authority]:
        """The versions that were current at `at`: the authority in force when a decision was taken."""
        rows = self.session.execute(select(AuthorityRow).where(
            AuthorityRow.organisation_id.in_(list(organisation_ids)), AuthorityRow.user_id.in_(list(user_ids)),
            AuthorityRow.category == category, AuthorityRow.granted_at <= at,
            (AuthorityRow.superseded_at.is_(None)) | (AuthorityRow.superseded_at > at))
            .order_by(AuthorityRow.organisation_id, AuthorityRow.user_id, AuthorityRow.valid_from)).scalars()
        return [_authority(r) for r in rows]

    def of_user(self, workspace_id: int, user_id: str) -> list[tuple[str, Authority]]:
        """A member's current authority in every category, with their organisation's name."""
        rows = self.session.execute(self._current().add_columns(Organisation.name)
                                    .join(Organisation, Organisation.id == AuthorityRow.organisation_id)
                                    .where(Organisation.workspace_id == workspace_id, AuthorityRow.user_id == user_id)
                                    .order_by(Organisation.name, AuthorityRow.category)).all()
        return [(name, _authority(row)) for row, name in rows]

    def of_workspace(self, workspace_id: int) -> list[tuple[str, Authority]]:
        """The whole current scheme of a workspace, with organisation names (for export)."""
        rows = self.session.execute(self._current().add_columns(Organisation.name)
                                    .join(Organisation, Organisation.id == AuthorityRow.organisation_id)
                                    .where(Organisation.workspace_id == workspace_id)
                                    .order_by(Organisation.name, AuthorityRow.user_id, AuthorityRow.category)).all()
        return [(name, _authority(row)) for row, name in rows]


def _level(row: ChainLevelRow) -> Level:
    return Level(position=row.position, title=row.title, approvers=tuple(row.approvers.split()),
                 channel_id=row.channel_id, limit_pence=row.limit_pence, approves_other=row.approves_other,
                 response_days=row.response_days)


class ChainRepository(ports.ChainRepository):
    def __init__(self, session: Session):
        self.session = session

    def get(self, organisation_id: int) -> Chain | None:
        """An organisation's escalation chain, lowest level first; None when it has none."""
        rows = self.session.execute(select(ChainLevelRow).where(ChainLevelRow.organisation_id == organisation_id)
                                    .order_by(ChainLevelRow.position)).scalars().all()
        return Chain(organisation_id, tuple(_level(r) for r in rows)) if rows else None

    def of(self, organisation_ids: Iterable[int]) -> dict[int, Chain]:
        """The chains of several organisations, by organisation id (those with none are left out)."""
        return {oid: chain for oid in set(organisation_ids) if (chain := self.get(oid))}

    def replace(self, organisation_id: int, levels: Iterable[Level], *, by: str, at: datetime) -> None:
        """Make `levels` the organisation's whole chain."""
        self.session.execute(delete(ChainLevelRow).where(ChainLevelRow.organisation_id == organisation_id))
        for level in levels:
            self.session.add(ChainLevelRow(
                organisation_id=organisation_id, position=level.position, title=level.title,
                approvers=" ".join(level.approvers), channel_id=level.channel_id, limit_pence=level.limit_pence,
                approves_other=level.approves_other, response_days=level.response_days, changed_by=by,
                changed_at=at))
        self.session.flush()


class DeputyRepository(ports.DeputyRepository):
    def __init__(self, session: Session):
        self.session = session

    def of(self, organisation_id: int, *, on_or_after: date) -> list[Deputy]:
        """An organisation's deputies whose period has not ended before `on_or_after`."""
        rows = self.session.execute(select(DeputyRow).where(
            DeputyRow.organisation_id == organisation_id, DeputyRow.until_date >= on_or_after)
            .order_by(DeputyRow.from_date, DeputyRow.id)).scalars()
        return [Deputy(r.approver, r.deputy, r.from_date, r.until_date) for r in rows]

    def add(self, organisation_id: int, deputy: Deputy, *, by: str) -> None:
        """Record that `deputy.deputy` answers for `deputy.approver` over the period."""
        self.session.add(DeputyRow(organisation_id=organisation_id, approver=deputy.approver, deputy=deputy.deputy,
                                   from_date=deputy.from_date, until_date=deputy.until_date, created_by=by))
        self.session.flush()
