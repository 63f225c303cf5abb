"""The external id of every imported record (issue 35): which source and key it came from."""

from __future__ import annotations

from piccolo.columns import BigInt, Timestamptz, Varchar
from piccolo.table import Table


class ExternalId(Table, tablename="external_id"):
    """One record of a cosell table known under `key` in `source` (`salesforce`, `csv`, `cosell` …).
    Unique per (entity, source, key) (an index in the migration): a re-run of an import
    finds the record again and updates it instead of adding a duplicate."""

    entity = Varchar(length=32)  # the native file's entity: partners, accounts, opportunities …
    source = Varchar(length=40)
    key = Varchar(length=255)
    internal_id = BigInt(index=True)
    imported_at = Timestamptz()
