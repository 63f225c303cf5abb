"""Where the rows of an import come from: a file per entity (native) or a Salesforce export."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from partners.transfer.entities import BY_NAME, IMPORT_ORDER
from partners.transfer.reading import Rejection, Row, read_rows


class ImportRefused(ValueError):
    """The command line named something that cannot be imported (no row was read)."""


@dataclass(frozen=True)
class Feed:
    """One file's rows for one entity."""

    entity: str
    display: str
    rows: Callable[[], Iterator[Row | Rejection]]
    size: int = 0


def native_feeds(paths: list[Path]) -> list[Feed]:
    """A directory's `<entity>.csv` files, or files named after their entity."""
    feeds = []
    for path in paths:
        files = sorted(path.glob("*.csv")) if path.is_dir() else [path]
        if path.is_dir() and not files:
            raise ImportRefused(f"{path} holds no .csv file")
        for file in files:
            name = file.stem.lower()
            if not file.is_file():
                raise ImportRefused(f"{file} is not a file")
            if name not in BY_NAME or not BY_NAME[name].importable:
                if path.is_dir():
                    continue
                raise ImportRefused(f"{file.name}: the native files are " + ", ".join(
                    e.file_name for e in IMPORT_ORDER))
            feeds.append(Feed(name, str(file), (lambda f=file: read_rows(f, str(f))), file.stat().st_size))
    return feeds


