"""Amounts in pounds sterling as people type them: "£250,000", "250k", "£1.2m", "1200000"."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from bot.domain.errors import InvalidValue

MAX_PENCE = 100_000_000_000 * 100  # £100bn: beyond any collaborative's budget, so surely a slip
MULTIPLIERS = {"": 1, "k": 1_000, "m": 1_000_000, "mn": 1_000_000, "bn": 1_000_000_000, "b": 1_000_000_000}
# ASCII digits only (re.ASCII: \d would take full-width and Arabic-Indic digits), commas only in groups of three.
AMOUNT = re.compile(r"^(?:£|gbp)?\s*(?P<whole>\d{1,3}(?:,\d{3})+|\d+)(?P<fraction>\.\d+)?\s*(?P<unit>k|m|mn|bn|b)?$",
                    re.ASCII)


def parse_amount(raw: str, *, field_name: str = "amount") -> int | None:
    """Pence for a typed amount; None when left blank; InvalidValue for anything else."""
    text = " ".join(raw.lower().split())
    if not text:
        return None
    if text.replace(" ", "").startswith(("-", "£-", "-£", "gbp-")):
        raise InvalidValue("The amount cannot be negative.", field=field_name)
    match = AMOUNT.match(text)
    if not match:
        raise InvalidValue("Give the amount in pounds, for example £250,000, 250k or £1.2m.", field=field_name)
    try:
        number = match["whole"].replace(",", "") + (match["fraction"] or "")
        pounds = Decimal(number) * MULTIPLIERS[match["unit"] or ""]
    except InvalidOperation:
        raise InvalidValue("Give the amount in pounds, for example £250,000.", field=field_name) from None
    pence = pounds * 100
    if pence != pence.to_integral_value():
        raise InvalidValue("The amount can have at most two decimal places (pence).", field=field_name)
    if pence == 0:
        raise InvalidValue("The amount must be more than £0; leave it blank if nothing is committed.",
                           field=field_name)
    if pence > MAX_PENCE:
        raise InvalidValue("That amount is too large to be right; check the number of zeros.", field=field_name)
    return int(pence)


def format_amount(pence: int | None) -> str:
    """Pence as "£1,200,000" or "£12.50"; an empty string for no amount."""
    if pence is None:
        return ""
    pounds, rest = divmod(pence, 100)
    return f"£{pounds:,}" + (f".{rest:02d}" if rest else "")
