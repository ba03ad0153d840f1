"""The decision register as rows for a CSV file that goes into board papers."""

from __future__ import annotations

import csv
from typing import TextIO

from bot.domain.decisions import Position
from bot.domain.money import format_amount
from bot.domain.snapshot import PollSnapshot
from prompts.blocks.polls import OUTCOME_LABELS, POSITION_LABELS, rule_text

COLUMNS = ["Number", "Title", "Category", "Amount", "Rule", "Outcome", "Reasons", "Closed (UTC)", "Closed by",
           *POSITION_LABELS.values(), "Positions by member", "Objections and reservations", "Declared interests",
           "Proposed by", "Options"]


def _plain(outcome_label: str) -> str:
    return outcome_label.split(" ", 1)[1] if outcome_label.startswith(":") else outcome_label


def register_row(snap: PollSnapshot) -> dict[str, str]:
    """One closed proposal as a register row; a secret ballot never names anyone."""
    p, t = snap.proposal, snap.tally
    secret = p.secret
    names = "" if secret else "; ".join(
        f"{v.user_id} ({v.organisation}): {POSITION_LABELS[v.position]}" + (f" by proxy of {v.proxy_by}"
                                                                           if v.proxy_by else "")
        for v in t.counted)
    reasons = "; ".join(
        ("A member" if secret else v.user_id) + f" ({POSITION_LABELS[v.position].lower()}): {v.reason}"
        for v in t.counted if v.position in (Position.OBJECT, Position.RESERVATIONS) and v.reason)
    options = [o for o, on in (("secret ballot", p.secret), ("results hidden until close", p.hide_results),
                               ("one vote per organisation", p.per_organisation)) if on]
    row = {
        "Number": snap.number or "", "Title": p.title, "Category": snap.category_label,
        "Amount": format_amount(p.amount_pence), "Rule": rule_text(snap),
        "Outcome": _plain(OUTCOME_LABELS[snap.outcome]) if snap.outcome else "",
        "Reasons": " ".join(snap.result.reasons) if snap.result else "",
        "Closed (UTC)": snap.closed_at.strftime("%Y-%m-%d %H:%M") if snap.closed_at else "",
        "Closed by": snap.closed_by or "deadline or last vote",
        "Positions by member": names, "Objections and reservations": reasons,
        "Declared interests": "; ".join(f"{i.user_id}: {i.reason} ({i.decision.value})" for i in p.interests),
        "Proposed by": p.proposer, "Options": ", ".join(options),
    }
    row.update({label: str(t.counts[pos]) for pos, label in POSITION_LABELS.items()})
    return row


def write_csv(snaps: list[PollSnapshot], out: TextIO) -> None:
    """Write the register as CSV with a header row."""
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for snap in snaps:
        row = register_row(snap)
        # A cell starting with = + - @ would be run as a formula by spreadsheet programs.
        writer.writerow({k: ("'" + v if v[:1] in ("=", "+", "-", "@") else v) for k, v in row.items()})
