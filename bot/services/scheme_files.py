"""A scheme of delegation as a file: CSV or YAML rows read for import, and written back out the same way."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import yaml

from bot.domain.text import clean, cut

COLUMNS = ("organisation", "user", "category", "limit", "valid_from", "valid_until", "granted_by")
REQUIRED = COLUMNS[:5]
USER_ID = re.compile(r"[UW][A-Z0-9]{1,31}", re.ASCII)
TIMESTAMP, BOOL = "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool"
FORMULA_STARTS = ("=", "+", "-", "@")  # a spreadsheet would run a cell starting so as a formula


class CannotImport(Exception):
    """The file or the workspace cannot be used at all; the message is one line."""


@dataclass(frozen=True)
class RawRow:
    """One row as the file has it: its number (CSV line, or YAML item), its values and any reading problems."""

    number: int
    values: dict[str, str]
    problems: tuple[str, ...] = ()



def is_user_id(text: str) -> bool:
    """Whether `text` looks like a Slack user id (U0123ABCD, or W... on Enterprise Grid)."""
    return USER_ID.fullmatch(text) is not None


def read_rows(path: Path) -> list[RawRow]:
    """The rows of a .csv, .yaml or .yml file; CannotImport when it cannot be read at all."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".yaml", ".yml"):
        raise CannotImport(f"{path}: give a .csv, .yaml or .yml file")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise CannotImport(f"there is no file {path}") from None
    except IsADirectoryError:
        raise CannotImport(f"{path} is a folder, not a file") from None
    except OSError as exc:
        raise CannotImport(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise CannotImport(f"{path} is not UTF-8 text (byte {exc.start + 1}); save it as UTF-8") from None
    rows = _csv_rows(text, path) if suffix == ".csv" else _yaml_rows(text, path)
    if not rows:
        raise CannotImport(f"{path} holds no limits")
    return rows


def _column(name: str) -> str:
    return "_".join(clean(name).lower().split())


def _csv_rows(text: str, path: Path) -> list[RawRow]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows, last = [], 0
    try:
        for record in reader:
            line, last = last + 1, reader.line_num  # a quoted cell may span lines: number rows by their first
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header = _header(record, path)
                continue
            cells = [(name, _unquote(clean(cell))) for name, cell in zip(header, record, strict=False)]
            extra = any(cell.strip() for cell in record[len(header):]) or any(v for n, v in cells if not n)
            problems = (f"{len(record)} values but the header names {len(header)} columns",) if extra else ()
            rows.append(RawRow(line, {name: value for name, value in cells if name and value}, problems))
    except csv.Error as exc:
        raise CannotImport(f"{path} line {reader.line_num} is not valid CSV: {exc}") from None
    if header is None:
        raise CannotImport(f"{path} is empty")
    return rows


def _header(record: list[str], path: Path) -> list[str]:
    header, names = [_column(cell) for cell in record], ", ".join(COLUMNS)
    if not set(header) & set(COLUMNS):
        raise CannotImport(f"{path} has no header line; its first line must name the columns: {names}")
    unknown = [name for name in header if name and name not in COLUMNS]
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    missing = [name for name in REQUIRED if name not in header]
    if unknown:
        raise CannotImport(f"{path}: unknown column \"{cut(unknown[0], 40)}\" in the header (the columns are {names})")
    if repeated or missing:
        lacking = (", ".join(missing[:-1]) + " or " if missing[1:] else "") + (missing[-1] if missing else "")
        trouble = f"names {repeated[0]} twice" if repeated else f"has no {lacking} column"
        raise CannotImport(f"{path}: the header {trouble} (the columns are {names})")
    return header


def _unquote(cell: str) -> str:
    """A cell as export wrote it: the quote that kept a spreadsheet from running it as a formula removed."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in FORMULA_STARTS else cell


class _Loader(yaml.SafeLoader):
    """Safe YAML, but dates and yes/no stay text: a bad date is then one row's problem, not the file's."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag not in (TIMESTAMP, BOOL)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def _yaml_rows(text: str, path: Path) -> list[RawRow]:
    try:
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader: builds no Python objects
    except ValueError as exc:
        raise CannotImport(f"{path} is not valid YAML: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        reason = " ".join(str(getattr(exc, "problem", None) or exc).split())
        raise CannotImport(f"{path}{where} is not valid YAML: {reason}") from None
    if data is None:
        raise CannotImport(f"{path} is empty")
    if not isinstance(data, list):
        raise CannotImport(f"{path} must hold a list of limits, one item per person, category and period")
    return [_yaml_row(number, item) for number, item in enumerate(data, start=1)]


def _yaml_row(number: int, item: object) -> RawRow:
    if not isinstance(item, dict):
        return RawRow(number, {}, (f"is not a set of keys (give {', '.join(COLUMNS)})",))
    values, problems = {}, []
    for key, value in item.items():
        name = _column(str(key))
        if name not in COLUMNS:
            problems.append(f"unknown key \"{cut(str(key), 40)}\" (the keys are {', '.join(COLUMNS)})")
        elif isinstance(value, (list, dict)):
            problems.append(f"{name} must be one value, not a list or set of keys")
        elif value is not None and (text := clean(str(value))):
            values[name] = text
    return RawRow(number, values, tuple(problems))


def write_rows(rows: list[dict[str, str]], out: TextIO, *, fmt: str) -> None:
    """Write rows from `export_rows` as CSV (with a header) or YAML (a list), just as `read_rows` reads them."""
    if fmt == "yaml":
        yaml.safe_dump([{k: v for k, v in row.items() if v} for row in rows], out, sort_keys=False,
                       allow_unicode=True, default_flow_style=False)
        return
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("'" + v if v[:1] in FORMULA_STARTS else v) for k, v in row.items()})
