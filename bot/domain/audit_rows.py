"""Comparing a table with the rows the audit log describes, column by column, and reading event payloads that
may have been forged: a missing field is a `Malformed` naming it, never a KeyError."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

Row = dict[str, Any]


class Malformed(Exception):
    """An event whose payload lacks what its action needs; the message says what (one line)."""


def need(payload: Any, *fields: str) -> list[Any]:
    """The payload's values for `fields`, in order; Malformed naming every field that is missing."""
    if not isinstance(payload, dict):
        raise Malformed(f"its payload is {type(payload).__name__}, not an object")
    missing = [f for f in fields if f not in payload]
    if missing:
        raise Malformed(f"missing field{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    return [payload[f] for f in fields]


def _order(key: tuple) -> tuple:
    return tuple((0, part, "") if isinstance(part, int) else (1, 0, str(part)) for part in key)


def _value(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value) if value != "" else "empty"


def _show(row: Row) -> str:
    return ", ".join(f"{column} {_value(value)}" for column, value in row.items())


def row_differences(table: str, log: Mapping[tuple, Row], kept: Mapping[tuple, Row],
                    name: Callable[[tuple], str], *, skip: Collection[tuple] = ()) -> list[str]:
    """One line per row that the table (`kept`) and the log hold differently, naming the table, the row's key and
    every column that differs. Only the columns the log knows are compared; keys in `skip` are not compared."""
    lines = []
    for key in sorted(log.keys() | kept.keys(), key=_order):
        if key in skip:
            continue
        said, held, where = log.get(key), kept.get(key), f"{table}: {name(key)}: "
        if held is None:
            lines.append(where + f"in the log ({_show(log[key])}) but not in the table")
        elif said is None:
            lines.append(where + f"in the table ({_show(held)}) but not in the log")
        else:
            changed = [column for column in said if column in held and said[column] != held[column]]
            if changed:
                lines.append(where + "; ".join(f"{column}: the table says {_value(held[column])}, the log says "
                                               f"{_value(said[column])}" for column in changed))
    return lines
