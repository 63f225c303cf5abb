"""Reading exchange-rate files (`cosell rates import`, issue 40): pure, no database.

Two CSV layouts, told apart by the header:

- long: `date,base,quote,rate`, one rate a line (1 base = rate quote);
- wide, the ECB's reference rates (`Date,USD,JPY,BGN,…`): one line a day, each column the
  rate of that currency against EUR (or the `base` given); "N/A" and empty cells are
  skipped, a trailing comma is tolerated.

Rates are read from their text as exact decimals, never through a float. Any bad line
makes the whole file refused: `ParsedRates.errors` lists every problem with its line
number, and the caller writes nothing unless the list is empty.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Iterable

from partners.money.currencies import is_currency

LONG_HEADER = ["date", "base", "quote", "rate"]
# Withdrawn ISO 4217 currencies that the ECB's historical file still has columns for (the
# euro replaced them, or a redenomination did: ROL → RON, TRL → TRY). Their columns are
# skipped and named in the summary; any other unknown code refuses the file.
WITHDRAWN = frozenset("CYP EEK GRD HRK LTL LVL MTL ROL SIT SKK TRL".split())
MISSING = {"", "N/A", "NA", "-"}
_RATE = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class RateLine:
    day: date
    base: str
    quote: str
    rate: Decimal
    line: int  # 1-based line number in the file


@dataclass
class ParsedRates:
    layout: str = ""  # "long" or "wide"
    rows: list[RateLine] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "line N: …"
    skipped_columns: list[str] = field(default_factory=list)  # withdrawn currencies (wide layout)


def parse_rate(text: str) -> Decimal | None:
    """A positive exact decimal written with digits and at most one point ("1.0823"), else None."""
    text = text.strip()
    if not _RATE.fullmatch(text):
        return None
    value = Decimal(text)
    return value if value > 0 else None


def parse_day(text: str, *, ecb_names: bool = False) -> date | None:
    """An ISO 8601 day (2026-12-07); with `ecb_names`, also the ECB's daily file's form
    ("07 December 2026")."""
    text = text.strip()
    try:
        if _ISO_DAY.fullmatch(text):
            return date.fromisoformat(text)
        if ecb_names:
            return datetime.strptime(text, "%d %B %Y").date()
    except ValueError:
        return None
    return None


def _currency_error(line: int, what: str, code: str) -> str:
    return f"line {line}: {what} {code!r} is not an ISO 4217 currency code"


def parse_rates_csv(lines: Iterable[str], *, base: str = "EUR") -> ParsedRates:
    """The rates of a CSV file (see the module docstring); `base` applies to the wide layout."""
    out = ParsedRates()
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        out.errors.append("line 1: the file is empty")
        return out
    names = [cell.strip() for cell in header]
    while names and names[-1] == "":
        names.pop()  # the ECB's trailing comma
    if [n.lower() for n in names] == LONG_HEADER:
        out.layout = "long"
        _read_long(reader, out)
    elif names and names[0].lower() == "date" and len(names) > 1:
        out.layout = "wide"
        if not is_currency(base):
            out.errors.append(f"--base {base!r} is not an ISO 4217 currency code")
            return out
        _read_wide(reader, names[1:], base, out)
    else:
        out.errors.append("line 1: unknown header: expected `date,base,quote,rate` or the ECB's "
                          "`Date,USD,JPY,…` (one column per currency)")
        return out
    _refuse_repeats(out)
    return out


def _read_long(reader, out: ParsedRates) -> None:
    for row in reader:
        line = reader.line_num
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if len(cells) != 4:
            out.errors.append(f"line {line}: expected 4 values (date,base,quote,rate), got {len(cells)}")
            continue
        day_text, base, quote, rate_text = cells
        problems = []
        day = parse_day(day_text)
        if day is None:
            problems.append(f"line {line}: {day_text!r} is not a date (YYYY-MM-DD)")
        for what, code in (("base", base), ("quote", quote)):
            if not is_currency(code):
                problems.append(_currency_error(line, what, code))
        if base == quote and is_currency(base):
            problems.append(f"line {line}: base and quote are both {base}")
        rate = parse_rate(rate_text)
        if rate is None:
            problems.append(f"line {line}: rate {rate_text!r} is not a positive decimal number (e.g. 1.0823)")
        if problems:
            out.errors.extend(problems)
        else:
            out.rows.append(RateLine(day, base, quote, rate, line))


def _read_wide(reader, codes: list[str], base: str, out: ParsedRates) -> None:
    columns: list[str | None] = []
    for code in codes:
        if code in WITHDRAWN:
            out.skipped_columns.append(code)
            columns.append(None)
        elif not is_currency(code):
            out.errors.append(_currency_error(1, "column", code))
            columns.append(None)
        elif code == base:
            out.errors.append(f"line 1: column {code} is the base currency itself")
            columns.append(None)
        else:
            columns.append(code)
    for row in reader:
        line = reader.line_num
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        while len(cells) > len(codes) + 1 and cells[-1] == "":
            cells.pop()  # trailing comma
        if len(cells) != len(codes) + 1:
            out.errors.append(f"line {line}: expected {len(codes) + 1} values (a date and one per currency), "
                              f"got {len(cells)}")
            continue
        day = parse_day(cells[0], ecb_names=True)
        if day is None:
            out.errors.append(f"line {line}: {cells[0]!r} is not a date (YYYY-MM-DD)")
            continue
        for code, text in zip(columns, cells[1:]):
            if code is None or text.upper() in MISSING:
                continue
            rate = parse_rate(text)
            if rate is None:
                out.errors.append(f"line {line}: {code} rate {text!r} is not a positive decimal number")
            else:
                out.rows.append(RateLine(day, base, code, rate, line))


def _refuse_repeats(out: ParsedRates) -> None:
    """A pair given twice for one day in the same file: which one was meant is unknown."""
    seen: dict[tuple[date, str, str], int] = {}
    for row in out.rows:
        key = (row.day, row.base, row.quote)
        if key in seen:
            out.errors.append(f"line {row.line}: {row.base}/{row.quote} on {row.day} was already given on "
                              f"line {seen[key]}")
        else:
            seen[key] = row.line
