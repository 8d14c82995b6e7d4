"""Reading the files councils and schools already have: encodings, header names, dates.

Public files arrive as UTF-8 (with or without a byte-order mark), Windows-1252 (what Excel
saves as "CSV") or ISO-8859-1 (GIAS). Each cell is read as text and trimmed; header names
are compared without case, spaces, underscores or the " (name)"/" (code)" suffixes GIAS
adds, through each import's own table of aliases.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

CHUNK = 900  # keeps IN (...) lists under SQLite's parameter limit


def chunks(values: Iterable, size: int = CHUNK) -> Iterator[list]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start:start + size]


def decode(data: bytes, *, encodings: tuple[str, ...] = ("utf-8-sig", "cp1252", "latin-1")) -> str:
    """The file's text: the first encoding that reads it whole (latin-1 always does)."""
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def header_key(name: str) -> str:
    """A header cell as it is compared: "LA (code)" → "la(code)", "Possible Sessions" → "possiblesessions"."""
    return re.sub(r"[\s_\-.]+", "", (name or "").strip().strip("\ufeff").lower())


@dataclass
class Table:
    """A CSV read whole: its header keys and its rows as {canonical column: text} with line numbers."""

    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


class FileProblem(ValueError):
    """The file as a whole cannot be read (line 1, usually its header)."""


def read_csv(data: bytes | str, aliases: dict[str, str], *, encodings: tuple[str, ...] | None = None,
             max_rows: int | None = None) -> Table:
    """Read a CSV whose header names map (through `aliases`, keyed by header_key) to canonical columns."""
    text = data if isinstance(data, str) else decode(data, **({"encodings": encodings} if encodings else {}))
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise FileProblem("The file is empty: the first line should be the column names")
        index: dict[str, int] = {}
        unknown = []
        for i, name in enumerate(header):
            canonical = aliases.get(header_key(name))
            if canonical is None:
                unknown.append(name.strip())
            elif canonical not in index:
                index[canonical] = i
        table = Table(columns=list(index), unknown=unknown)
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue  # blank lines and lines of commas only
            table.rows.append((reader.line_num, {
                column: (cells[i].strip() if i < len(cells) else "") for column, i in index.items()}))
            if max_rows is not None and len(table.rows) > max_rows:
                raise FileProblem(f"The file has more than {max_rows:,} rows: split it into smaller files")
    except csv.Error as exc:
        raise FileProblem(f"The file could not be read as CSV: {exc}") from exc
    return table


_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$")


def parse_date(value: str) -> dt.date | None:
    """DD/MM/YYYY (as the 903 and most councils write dates) or YYYY-MM-DD; None if neither."""
    value = (value or "").strip()
    if match := _DMY.match(value):
        day, month, year = (int(g) for g in match.groups())
    elif match := _ISO.match(value):
        year, month, day = (int(g) for g in match.groups())
    else:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def missing_message(missing: list[str]) -> str:
    return ("The first line must name the column" + ("s " if len(missing) > 1 else " ") + ", ".join(missing))
