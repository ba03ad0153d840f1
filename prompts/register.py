"""The decision register as rows for a CSV file that goes into board papers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from bot.domain.decisions import Position, Vote
from bot.domain.escalation import Escalation, EscalationState
from bot.domain.snapshot import PollSnapshot
from prompts.blocks.history import by_member
from prompts.blocks.polls import OUTCOME_LABELS, POSITION_LABELS, rule_text
from prompts.csv_export import iso_time, pounds, uk_day, uk_time
from prompts.csv_export import write_csv as write_csv_rows

COLUMNS = ["Number", "Title", "Category", "Amount (£)", "Rule", "Outcome", "Reasons", "Closed", "Closed (ISO 8601)",
           "Closed by",
           *POSITION_LABELS.values(), "Positions by member", "Objections and reservations", "Proxy votes",
           "Position changes", "Declared interests", "Proposed by", "Options", "Sign-off by organisation",
           "Authority in force", "Taken under delegation"]


def _plain(outcome_label: str) -> str:
    return outcome_label.split(" ", 1)[1] if outcome_label.startswith(":") else outcome_label


def people_in(snaps: Iterable[PollSnapshot]) -> set[str]:
    """Every Slack user a register names, so their names can be looked up once."""
    ids: set[str] = set()
    for snap in snaps:
        votes = snap.tally.counted + snap.tally.superseded
        ids.update(v.user_id for v in votes)
        ids.update(v.proxy_by for v in votes if v.proxy_by)
        ids.update(c.user_id for c in snap.history)
        ids.update(i.user_id for i in snap.proposal.interests)
        ids.update(x for x in (snap.proposal.proposer, snap.closed_by) if x)
        ids.update(x for e in snap.escalations for x in (e.answered_by, e.answered_for) if x)
        ids.update(x for _, a in snap.authority for x in (a.user_id, a.granted_by))
    return ids


class Register:
    """Rows of the register, naming people as "Name (U123)" when their names are known."""

    def __init__(self, names: dict[str, str] | None = None):
        self.names = names or {}

    def who(self, user_id: str) -> str:
        """A person as the register names them."""
        name = self.names.get(user_id)
        return f"{name} ({user_id})" if name else user_id

    def _position(self, vote: Vote, *, counted: bool) -> str:
        text = f"{self.who(vote.user_id)} ({vote.organisation}): {POSITION_LABELS[vote.position]}"
        if vote.proxy_by:
            text += f" by proxy of {self.who(vote.proxy_by)}"
        return text + ("" if counted else " (not counted: one vote per organisation)")

    def row(self, snap: PollSnapshot) -> dict[str, str]:
        """One closed proposal as a register row; a secret ballot never names anyone."""
        p, t, zone = snap.proposal, snap.tally, snap.board.timezone
        secret = p.secret
        names = "" if secret else "; ".join(
            [self._position(v, counted=True) for v in t.counted]
            + [self._position(v, counted=False) for v in t.superseded])
        reasons = "; ".join(
            ("A member" if secret else self.who(v.user_id)) + f" ({POSITION_LABELS[v.position].lower()}): {v.reason}"
            for v in t.counted if v.position in (Position.OBJECT, Position.RESERVATIONS) and v.reason
            and not v.proxy_by)
        proxies = [v for v in t.counted + t.superseded if v.proxy_by]
        proxy_text = (f"{len(proxies)} recorded by " + ", ".join(sorted({self.who(v.proxy_by) for v in proxies}))
                      if secret and proxies else "; ".join(
                          f"{self.who(v.user_id)} by {self.who(v.proxy_by)}: {v.reason}" for v in proxies))
        changes = "" if secret else "; ".join(
            f"{self.who(user)}: " + " > ".join(
                f"{POSITION_LABELS[c.position]} {uk_time(c.at, zone)}" + (" (proxy)" if c.proxy_by else "")
                for c in steps)
            for user, steps in by_member(snap.history).items())
        options = [o for o, on in (("secret ballot", p.secret), ("results hidden until close", p.hide_results),
                                   ("one vote per organisation", p.per_organisation)) if on]
        row = {
            "Number": snap.number or "", "Title": p.title, "Category": snap.category_label,
            "Amount (£)": pounds(p.amount_pence), "Rule": rule_text(snap),
            "Outcome": _plain(OUTCOME_LABELS[snap.outcome]) if snap.outcome else "",
            "Reasons": " ".join(snap.result.reasons) if snap.result else "",
            "Closed": uk_time(snap.closed_at, zone), "Closed (ISO 8601)": iso_time(snap.closed_at, zone),
            "Closed by": self.who(snap.closed_by) if snap.closed_by else "deadline or last vote",
            "Positions by member": names, "Objections and reservations": reasons, "Proxy votes": proxy_text,
            "Position changes": changes,
            "Declared interests": "; ".join(f"{self.who(i.user_id)}: {i.reason} ({i.decision.value})"
                                            for i in p.interests),
            "Proposed by": self.who(p.proposer), "Options": ", ".join(options),
        }
        row.update({label: str(t.counts[pos]) for pos, label in POSITION_LABELS.items()})
        row.update(self._delegation(snap))
        return row

    def _sign_off(self, e: Escalation, zone: str) -> str:
        if e.state in (EscalationState.ENDORSED, EscalationState.DECLINED):
            by = self.who(e.answered_by) + (f" for {self.who(e.answered_for)}" if e.answered_for else "")
            text = f"{e.organisation}: {e.state.value} by {by} ({e.level_title}) {uk_time(e.answered_at, zone)}"
            return text + (f": {e.comment}" if e.comment else "")
        if e.state is EscalationState.NO_ROUTE:
            return f"{e.organisation}: no route ({e.problem})"
        return f"{e.organisation}: {e.state.value}" + (f", with {e.level_title}" if e.level_title else "")

    def _delegation(self, snap: PollSnapshot) -> dict[str, str]:
        money = snap.proposal.amount_pence is not None
        delegated = ""
        if snap.delegated is not None:
            d = snap.delegated
            delegated = (f"yes; reviewed by {self.who(d.reviewed_by)} {uk_day(d.reviewed_at, snap.board.timezone)}"
                         + (f": {d.note}" if d.note else "") if d.reviewed_at else "yes; awaiting review")
        return {
            "Sign-off by organisation": "; ".join(self._sign_off(e, snap.board.timezone) for e in snap.escalations),
            "Authority in force": "; ".join(
                f"{self.who(a.user_id)} ({org}): {a.describe(money=money)}, version {a.version} granted by "
                f"{self.who(a.granted_by)}" for org, a in snap.authority) if not snap.proposal.secret else "",
            "Taken under delegation": delegated,
        }


def register_row(snap: PollSnapshot) -> dict[str, str]:
    """One closed proposal as a register row, naming people by Slack id."""
    return Register().row(snap)


def write_csv(snaps: list[PollSnapshot], out: TextIO, names: dict[str, str] | None = None) -> None:
    """Write the register as CSV for a spreadsheet, with a header row; times in the board's zone."""
    register = Register(names)
    write_csv_rows(out, COLUMNS, (register.row(snap) for snap in snaps))
