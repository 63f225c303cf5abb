"""Business days (P11): Monday to Friday, less the holidays of a region's calendar.

Dates are UTC dates. A region's holidays are data (`RegionHoliday`, see `holidays`);
without any, every Monday–Friday counts. The clock (`now`) is the one the lead and case
rules read, so there is one place that says what "now" is.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Iterable

from partners.infra.clock import now as _utcnow


def now() -> datetime:
    return _utcnow()


def is_business_day(day: date, holidays: Iterable[date] = ()) -> bool:
    return day.weekday() < 5 and day not in set(holidays)


def add_business_days(start: datetime, days: int, holidays: Iterable[date] = ()) -> datetime:
    """`start` plus `days` business days, at the same time of day (UTC): each following day
    that is a business day counts one. A Friday 10:00 share is due, 5 business days later,
    the next Friday 10:00; a holiday in between moves it to the Monday after."""
    off = set(holidays)
    at = start.astimezone(timezone.utc)
    counted = 0
    while counted < days:
        at += timedelta(days=1)
        if is_business_day(at.date(), off):
            counted += 1
    return at
