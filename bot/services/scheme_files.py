"""A scheme of delegation as a file: CSV or YAML rows read for import, and written back out the same way."""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Generator, Iterator
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


ENCODINGS = (("utf-8-sig", "UTF-8"), ("cp1252", "Windows-1252"))
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
DELIMITERS = (",", ";", "\t")
CHUNK = 1 << 20


class RowSource:
    """The rows of a .csv, .yaml or .yml file, read afresh each time it is iterated: a CSV file is streamed, never
    held whole. CannotImport, in one line saying what to do, when it cannot be read at all."""

    def __init__(self, path: Path):
        self.path = path = Path(path)
        self.suffix = path.suffix.lower()
        if self.suffix not in (".csv", ".yaml", ".yml"):
            raise CannotImport(f"{path}: give a .csv, .yaml or .yml file")
        self.encoding, self.encoding_name = _encoding(path)
        self.delimiter = ","
        self._items: list | None = None
        if self.suffix == ".csv":
            self.delimiter = _delimiter(self._lines())
        else:
            self._items = _yaml_items(self._text(), path)
        if next(iter(self), None) is None:
            raise CannotImport(f"{path} holds no limits")

    def _text(self) -> str:
        with open(self.path, encoding=self.encoding) as f:
            return f.read()

    def _lines(self) -> Generator[str, None, None]:
        with open(self.path, encoding=self.encoding, newline="") as f:
            yield from f

    def __iter__(self) -> Iterator[RawRow]:
        if self._items is not None:
            return (_yaml_row(number, item) for number, item in enumerate(self._items, start=1))
        return _csv_rows(self._lines(), self.path, self.delimiter)


def open_rows(path: Path) -> RowSource:
    """The rows of a .csv, .yaml or .yml file, to be read (and read again) as they are checked and written."""
    return RowSource(path)


def _encoding(path: Path) -> tuple[str, str]:
    """How the file is encoded: UTF-8 (with or without a byte order mark), else Windows-1252, as Excel saves CSV."""
    try:
        with open(path, "rb") as f:
            if f.read(2) in UTF16_BOMS:
                raise CannotImport(f"{path} is UTF-16 text; save it as CSV UTF-8 (in Excel: File, Save As, "
                                   "CSV UTF-8) and import that")
            for codec, name in ENCODINGS:
                f.seek(0)
                decoder, offset = codecs.getincrementaldecoder(codec)(), 0
                try:
                    while chunk := f.read(CHUNK):
                        decoder.decode(chunk)
                        offset += len(chunk)
                    decoder.decode(b"", final=True)
                    return codec, name
                except UnicodeDecodeError as exc:
                    bad = offset + exc.start + 1
    except FileNotFoundError:
        raise CannotImport(f"there is no file {path}") from None
    except IsADirectoryError:
        raise CannotImport(f"{path} is a folder, not a file") from None
    except OSError as exc:
        raise CannotImport(f"cannot read {path}: {exc.strerror}") from None
    raise CannotImport(f"{path} is neither UTF-8 nor Windows-1252 text (byte {bad}); save it as CSV UTF-8 (in "
                       "Excel: File, Save As, CSV UTF-8) and import that")


def _delimiter(lines: Generator[str, None, None]) -> str:
    """The separator the header line uses: a comma, or the semicolon (or tab) of spreadsheets in many locales."""
    first = next((line for line in lines if line.strip()), "")
    lines.close()
    named = {d: len({_column(c) for c in next(csv.reader([first], delimiter=d), [])} & set(COLUMNS))
             for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: named[d])  # ties go to the comma, listed first


def _column(name: str) -> str:
    return "_".join(clean(name).lower().split())


def _csv_rows(lines: Iterator[str], path: Path, delimiter: str) -> Iterator[RawRow]:
    reader = csv.reader(lines, delimiter=delimiter)
    header: list[str] | None = None
    last = 0
    try:
        for record in reader:
            line, last = last + 1, reader.line_num  # a quoted cell may span lines: number rows by their first
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header = _header(record, path)
                continue
            cells = [(name, _unquote(_clean(cell))) for name, cell in zip(header, record, strict=False)]
            extra = any(cell.strip() for cell in record[len(header):]) or any(v for n, v in cells if not n)
            problems = (f"{len(record)} values but the header names {len(header)} columns",) if extra else ()
            yield RawRow(line, {name: value for name, value in cells if name and value}, problems)
    except csv.Error as exc:
        raise CannotImport(f"{path} line {reader.line_num} is not valid CSV: {exc}") from None
    if header is None:
        raise CannotImport(f"{path} is empty")


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


def _clean(cell: str) -> str:
    """`clean`, quicker for the plain printable ASCII nearly every cell is (it has nothing to drop)."""
    return " ".join(cell.split()) if cell.isascii() and cell.isprintable() else clean(cell)


def _unquote(cell: str) -> str:
    """A cell as export wrote it: the quote that kept a spreadsheet from running it as a formula removed."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in FORMULA_STARTS else cell


class _Loader(yaml.SafeLoader):
    """Safe YAML, but dates and yes/no stay text: a bad date is then one row's problem, not the file's."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag not in (TIMESTAMP, BOOL)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def _yaml_items(text: str, path: Path) -> list:
    try:
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader: builds no Python objects
    except ValueError as exc:
        raise CannotImport(f"{path} is not valid YAML: {exc}") from None
    except RecursionError:
        raise CannotImport(f"{path} nests lists or keys too deeply to be a scheme of delegation; give a list with "
                           f"one item per person, category and period, each with the keys {', '.join(COLUMNS)}") \
            from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        reason = " ".join(str(getattr(exc, "problem", None) or exc).split())
        raise CannotImport(f"{path}{where} is not valid YAML: {reason}") from None
    if data is None:
        raise CannotImport(f"{path} is empty")
    if not isinstance(data, list):
        raise CannotImport(f"{path} must hold a list of limits, one item per person, category and period")
    return data


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
    """Write rows from `export_rows` as CSV (with a header) or YAML (a list), just as `open_rows` reads them."""
    if fmt == "yaml":
        yaml.safe_dump([{k: v for k, v in row.items() if v} for row in rows], out, sort_keys=False,
                       allow_unicode=True, default_flow_style=False)
        return
    out.write("\ufeff")  # UTF-8 with a byte-order mark, so a spreadsheet reads £ and names right; open_rows skips it
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("'" + v if v[:1] in FORMULA_STARTS else v) for k, v in row.items()})
