"""Reading and writing the regions' holiday calendars (P11)."""

from __future__ import annotations

from datetime import date, timedelta

from partners.business_days import now
from partners.business_days.tables import RegionHoliday
from partners.infra.db import is_unique_violation, transaction
from partners.infra.errors import DomainError, require_roles
from partners.people.enums import Region, Role
from partners.people.principal import Principal

# A deadline of 10 business days never reaches further than this many calendar days
# unless a region declares weeks of holidays; the lookup reads this window.
WINDOW_DAYS = 120


async def holidays_of(region: str, start: date, days: int = WINDOW_DAYS) -> set[date]:
    rows = await RegionHoliday.select(RegionHoliday.day).where(
        (RegionHoliday.region == region) & (RegionHoliday.day >= start)
        & (RegionHoliday.day <= start + timedelta(days=days)))
    return {row["day"] for row in rows}


async def add_holiday(principal: Principal, region: Region, day: date, name: str = "") -> dict:
    """Admins keep the calendars; a day is a holiday of a region once."""
    require_roles(principal, Role.ADMIN)
    try:
        async with transaction():
            if await RegionHoliday.exists().where((RegionHoliday.region == region.value) & (RegionHoliday.day == day)):
                raise DomainError.single("HOLIDAY_EXISTS", f"{day} is already a holiday in {region.value}.", "day",
                                         rule="P11")
            row = RegionHoliday(region=region.value, day=day, name=name.strip()[:200], created_by=principal.user_id,
                                created_at=now())
            await row.save()
            return await RegionHoliday.select().where(RegionHoliday.id == row.id).first()
    except Exception as exc:
        if is_unique_violation(exc):
            raise DomainError.single("HOLIDAY_EXISTS", f"{day} is already a holiday in {region.value}.", "day",
                                     rule="P11") from exc
        raise


async def remove_holiday(principal: Principal, region: Region, day: date) -> dict:
    """Admins remove a day from a region's calendar (the mutation's audit row records who and
    which day). Deadlines already computed keep their values: a lead's deadlines are fixed
    when it is shared (P11), so only shares made afterwards count the day as a business day."""
    require_roles(principal, Role.ADMIN)
    async with transaction():
        removed = await RegionHoliday.delete().where(
            (RegionHoliday.region == region.value) & (RegionHoliday.day == day)).returning(*RegionHoliday.all_columns())
        if not removed:
            raise DomainError.single("HOLIDAY_NOT_FOUND", f"{day} is not a holiday in {region.value}.", "day",
                                     rule="P11")
        return removed[0]


async def list_holidays(region: Region | None = None) -> list[dict]:
    query = RegionHoliday.select().order_by(RegionHoliday.day)
    if region is not None:
        query = query.where(RegionHoliday.region == region.value)
    return await query
