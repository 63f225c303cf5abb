"""A file's rows, parsed and checked for duplicate external ids, in chunks (issue 35's
import speed and memory).

Parsing (cells to values, JSON children, normalized cells) is the larger half of the
import's own CPU, and the import is otherwise one process waiting on its database in
turns. For a file of `PARSE_PROCESS_FROM` bytes or more the chunks are made in a second
process (forked: it shares the parent's modules and the feed's reader) and handed over
through a bounded queue, so parsing the next rows overlaps checking and writing the
current ones on a second core; memory stays flat (at most `QUEUE_CHUNKS` chunks wait).

The external ids a file has already named (DUPLICATE_EXTERNAL_ID: the first row counts)
are kept in a temporary SQLite database of their own (`SeenKeys`) with a unique index,
not in a Python set, so the memory this takes does not grow with the file. It is a
scratch file of the importing process, not the cosell database: the same on both engines,
deleted when the file is done.
"""

from __future__ import annotations

import multiprocessing
import queue
import sqlite3
import traceback
from typing import Callable, Iterable, Iterator

from partners.transfer.reading import Rejection, Row

CHUNK = 500
PARSE_PROCESS_FROM = 1_000_000  # bytes: below, the fork and the queue cost more than they save
QUEUE_CHUNKS = 4
_SEP = "\x1f"  # between source and key: a byte no CSV cell of ours holds unescaped


class SeenKeys:
    """The (source, key) pairs already met in one file, on disk (a temporary SQLite file)."""

    def __init__(self) -> None:
        # "" opens a private temporary database, removed when it is closed; its cache is
        # bounded (cache_size, in KiB when negative), the rest lives in the file.
        self.db = sqlite3.connect("", isolation_level=None)
        self.db.execute("PRAGMA cache_size = -4096")
        self.db.execute("PRAGMA synchronous = OFF")
        self.db.execute("PRAGMA journal_mode = OFF")
        self.db.execute("CREATE TABLE seen (k TEXT PRIMARY KEY) WITHOUT ROWID")

    def first_time(self, pairs: list[tuple[str, str]]) -> list[bool]:
        """For each pair in order: True when no earlier pair (of this call or an earlier one) was it."""
        keys = [f"{s}{_SEP}{k}" for s, k in pairs]
        distinct = list(dict.fromkeys(keys))
        earlier: set[str] = set()
        for i in range(0, len(distinct), CHUNK):
            part = distinct[i:i + CHUNK]
            earlier.update(r[0] for r in self.db.execute(
                f"SELECT k FROM seen WHERE k IN ({', '.join('?' * len(part))})", part))
        self.db.executemany("INSERT OR IGNORE INTO seen (k) VALUES (?)", ((k,) for k in distinct))
        out = []
        for k in keys:
            out.append(k not in earlier)
            earlier.add(k)
        return out

    def close(self) -> None:
        self.db.close()


def parsed_chunks(rows: Callable[[], Iterable[Row | Rejection]], parse: Callable[[Row], object],
                  size: int = CHUNK) -> Iterator[list]:
    """Lists of `Rejection`s and parsed rows (`importing.Parsed`) in file order, each parsed
    row refused as DUPLICATE_EXTERNAL_ID when an earlier row of the file has its external id."""
    seen = SeenKeys()
    try:
        chunk: list = []
        for item in rows():
            chunk.append(item if isinstance(item, Rejection) else parse(item))
            if len(chunk) >= size:
                yield _mark_duplicates(chunk, seen)
                chunk = []
        if chunk:
            yield _mark_duplicates(chunk, seen)
    finally:
        seen.close()


def _mark_duplicates(chunk: list, seen: SeenKeys) -> list:
    parsed = [p for p in chunk if not isinstance(p, Rejection) and p.key]
    for p, first in zip(parsed, seen.first_time([(p.source, p.key) for p in parsed])):
        if not first:
            p.refuse("DUPLICATE_EXTERNAL_ID", f"external id {p.source}::{p.key} is on an earlier line "
                                              f"of this file; the first row counts.", "external_id")
    return chunk


# ---------------------------------------------------------------- the parsing process


def _produce(chunks: Callable[[], Iterator[list]], out) -> None:
    try:
        for chunk in chunks():
            out.put(("chunk", chunk))
        out.put(("end", None))
    except BaseException:  # noqa: BLE001 - handed to the importing process, which raises it
        out.put(("error", traceback.format_exc()))
    out.close()
    out.join_thread()


class ParseProcessFailed(RuntimeError):
    pass


def in_second_process(chunks: Callable[[], Iterator[list]]) -> Iterator[list]:
    """The same chunks, made by a forked process while the caller consumes them."""
    context = multiprocessing.get_context("fork")
    out = context.Queue(QUEUE_CHUNKS)
    worker = context.Process(target=_produce, args=(chunks, out), daemon=True, name="cosell-import-parse")
    worker.start()
    try:
        while True:
            try:
                kind, payload = out.get(timeout=1.0)
            except queue.Empty:
                if not worker.is_alive():
                    raise ParseProcessFailed(f"the parsing process ended (exit status {worker.exitcode})") from None
                continue
            if kind == "end":
                break
            if kind == "error":
                raise ParseProcessFailed(payload)
            yield payload
    finally:
        if worker.is_alive():
            worker.terminate()
        worker.join(5)
        out.close()
        out.cancel_join_thread()
