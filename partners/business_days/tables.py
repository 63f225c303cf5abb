"""The holiday calendars of the regions, as data (P11 business days)."""

from __future__ import annotations

from piccolo.columns import Date, ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.table import Table

from partners.people.enums import Region
from partners.people.tables import User


class RegionHoliday(Table, tablename="region_holiday"):
    """A day that is not a business day in a region (once per region and day)."""

    region = Varchar(length=8, choices=Region, index=True)
    day = Date(index=True)
    name = Varchar(length=200, default="")
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz()
