"""P11 business days: Monday–Friday, less the region's holidays (pure rules)."""

from datetime import date, datetime, timezone

from partners.business_days import add_business_days, is_business_day
from partners.leads.rules import deadlines

FRIDAY = datetime(2030, 3, 1, 10, 0, tzinfo=timezone.utc)


def test_p11_five_business_days_from_a_friday_is_the_next_friday():
    assert add_business_days(FRIDAY, 5) == datetime(2030, 3, 8, 10, 0, tzinfo=timezone.utc)


def test_p11_ten_business_days_from_a_friday_skip_two_weekends():
    assert add_business_days(FRIDAY, 10) == datetime(2030, 3, 15, 10, 0, tzinfo=timezone.utc)


def test_p11_a_holiday_moves_the_deadline_to_the_next_business_day():
    wednesday = date(2030, 3, 6)
    assert not is_business_day(wednesday, {wednesday})
    assert add_business_days(FRIDAY, 5, {wednesday}) == datetime(2030, 3, 11, 10, 0, tzinfo=timezone.utc)


def test_p11_a_weekend_share_counts_from_the_monday():
    saturday = datetime(2030, 3, 2, 9, 30, tzinfo=timezone.utc)
    assert add_business_days(saturday, 1) == datetime(2030, 3, 4, 9, 30, tzinfo=timezone.utc)
    assert add_business_days(saturday, 5) == datetime(2030, 3, 8, 9, 30, tzinfo=timezone.utc)


def test_p11_reminders_come_one_business_day_before_each_deadline():
    due = deadlines(FRIDAY, {date(2030, 3, 7)})  # a Thursday holiday
    assert due.accept_remind == datetime(2030, 3, 8, 10, 0, tzinfo=timezone.utc)
    assert due.accept_due == datetime(2030, 3, 11, 10, 0, tzinfo=timezone.utc)
    assert due.action_remind == datetime(2030, 3, 15, 10, 0, tzinfo=timezone.utc)
    assert due.action_due == datetime(2030, 3, 18, 10, 0, tzinfo=timezone.utc)
