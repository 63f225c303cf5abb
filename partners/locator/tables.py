"""The partner directory's change feed, written by database triggers (D7)."""

from __future__ import annotations

from piccolo.columns import BigInt, DoublePrecision, Integer
from piccolo.table import Table

# The locator's in-process index (plugins/builtin/locator_directory.py) follows the directory
# through these two tables, written only by database triggers (see their migration): every
# change to a partner's listed fields or served lists bumps `version` and logs the partner.


class DirectoryVersion(Table, tablename="directory_version"):
    """One row (id 1): the directory's change counter; a new `generation` means start over."""

    version = BigInt(default=0)
    generation = DoublePrecision(default=0.0)


class DirectoryChange(Table, tablename="directory_change"):
    """Partner `partner` changed at `version` (the last 10,000 changes are kept)."""

    version = BigInt(default=0, index=True)
    partner = Integer(default=0)
