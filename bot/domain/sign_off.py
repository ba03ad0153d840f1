"""What a proposal says about sign-off when it is put: each organisation's own amount, governance marks, and the
board's rule for its category."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from bot.domain.boards import Board, DecisionRule
from bot.domain.delegation import FORMAL_MARKS, CategoryRule, check_override
from bot.domain.errors import InvalidValue, NotAllowed
from bot.domain.money import parse_amount

ORG_AMOUNTS_FIELD = "org_amounts"


def parse_org_amounts(raw: str, board: Board) -> dict[int, int]:
    """Lines of "Organisation = amount" for organisations on the board, as organisation id -> pence."""
    by_name = {m.organisation.casefold(): m.organisation_id for m in board.members if m.organisation_id}
    amounts: dict[int, int] = {}
    for line in (raw or "").replace(";", "\n").splitlines():
        if not line.strip():
            continue
        name, sep, amount = line.rpartition("=") if "=" in line else line.rpartition(":")
        key = " ".join(name.split()).casefold()
        if not sep or key not in by_name:
            raise InvalidValue("“{line}”: write one organisation on the board per line, as Organisation = amount.",
                               field=ORG_AMOUNTS_FIELD, line=line.strip())
        pence = parse_amount(amount, field_name=ORG_AMOUNTS_FIELD)
        if pence is None:
            raise InvalidValue("Give {name}'s amount in pounds.", field=ORG_AMOUNTS_FIELD, name=name.strip())
        if by_name[key] in amounts:
            raise InvalidValue("{name} is named twice.", field=ORG_AMOUNTS_FIELD, name=name.strip())
        amounts[by_name[key]] = pence
    return amounts


def check_marks(marks: set[str]) -> frozenset[str]:
    """Only the governance marks the bot knows."""
    if not marks <= FORMAL_MARKS.keys():
        raise InvalidValue("Choose only the marks offered.", field="marks")
    return frozenset(marks)


@dataclass(frozen=True)
class RuleChoice:
    """The rule a new proposal takes, its threshold when the board's category rule sets one, and who overrode."""

    rule: DecisionRule
    threshold: Fraction | None
    overridden_by: str | None


def choose_rule(board: Board, user_id: str, *, category: str, chosen: DecisionRule | None,
                rules: dict[str, CategoryRule]) -> RuleChoice:
    """The category's rule (or the board's default) unless the chair chose another, which goes on the record."""
    expected = rules.get(category)
    if chosen is None:
        if expected is None:
            return RuleChoice(board.default_rule, None, None)
        return RuleChoice(expected.rule, expected.threshold, None)
    if expected is None:
        return RuleChoice(chosen, None, None)
    try:
        overridden = check_override(board, user_id, chosen=chosen, expected=expected)
    except NotAllowed as refused:
        raise NotAllowed(refused.template, field="rule", **refused.parts) from None
    return RuleChoice(chosen, None if overridden else expected.threshold, user_id if overridden else None)
