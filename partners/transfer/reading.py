"""Reading a CSV file as a stream of rows, one line at a time (memory flat in file size).

A line that is not UTF-8, a line the CSV parser refuses (a NUL byte) and a field longer
than the parser's limit are rejected rows (`Rejection`), not a failed run: reading goes
on with the next line.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

# The parser's own limit: far above every column's, so an oversize cell reaches the
# column check (FIELD_TOO_LONG, with its field) instead of stopping the parser.
csv.field_size_limit(16 * 1024 * 1024)


@dataclass(frozen=True)
class Rejection:
    """One refused row, as the report lists it."""

    file: str
    line: int
    field: str
    code: str
    rule: str
    message: str
    external_id: str = ""


@dataclass
class Row:
    line: int
    values: dict[str, str]
    position: int = 0  # bytes of the file read so far (progress and ETA)


class LineSource:
    """The decoded lines of a file for csv.reader, remembering the physical line number
    and the lines that were not UTF-8."""

    def __init__(self, handle, file: str) -> None:
        self.handle = handle
        self.file = file
        self.line = 0
        self.bad: list[Rejection] = []
        self.bytes_read = 0

    def __iter__(self) -> Iterator[str]:
        for raw in self.handle:
            self.line += 1
            self.bytes_read += len(raw)
            if self.line == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]  # a byte order mark, as spreadsheets write
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                self.bad.append(Rejection(self.file, self.line, "", "NOT_UTF8", "",
                                          f"line {self.line} is not UTF-8 (byte {exc.start + 1}); the row is skipped."))


def read_rows(path: Path, display: str | None = None) -> Iterator[Row | Rejection]:
    """Rows of a CSV file with a header line, by header name; rejections in between."""
    display = display or path.name
    with open(path, "rb") as handle:
        source = LineSource(handle, display)
        reader = csv.reader(source)
        header: list[str] | None = None
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                yield from _drain(source)
                yield Rejection(display, source.line, "", "CSV_SYNTAX", "", f"line {source.line}: {exc}.")
                continue
            yield from _drain(source)
            if header is None:
                header = [h.strip() for h in cells]
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                yield Rejection(display, source.line, "", "TOO_MANY_CELLS", "",
                                f"{len(cells)} cells for {len(header)} columns.")
                continue
            yield Row(source.line, dict(zip(header, cells + [""] * (len(header) - len(cells)))), source.bytes_read)
        yield from _drain(source)


def _drain(source: LineSource) -> Iterator[Rejection]:
    while source.bad:
        yield source.bad.pop(0)


def header_of(path: Path) -> list[str]:
    with open(path, "rb") as handle:
        first = handle.readline().decode("utf-8", "replace").lstrip("\ufeff")
    return next(csv.reader([first]), [])
