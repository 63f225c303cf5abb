"""Co-sell plan rules as pure functions (D3, D8)."""

from datetime import date

import pytest

from partners.accounts.enums import Ranking
from partners.infra.errors import DomainError
from partners.plans.enums import CoSellMotion as Motion, CoSellTaskSide as Side
from partners.plans.rules import (
    assignee_violations,
    d8_motions,
    due_date_violations,
    is_overdue,
    kickoff_violations,
    motion_for,
    progress,
    text_violations,
)


@pytest.mark.parametrize("ranking", [Ranking.RANK_1, Ranking.RANK_1_5, Ranking.RANK_2])
def test_d8_rank_1_to_2_accounts_get_services_and_support_only(ranking):
    assert d8_motions(ranking) == (Motion.SERVICES_AND_SUPPORT, {Motion.SERVICES_AND_SUPPORT})
    with pytest.raises(DomainError) as refused:
        motion_for(ranking, Motion.PARTNER_LED)
    (violation,) = refused.value.violations
    assert (violation.code, violation.field, violation.rule) == ("MOTION_CONTRADICTS_D8", ("motion",), "D8")


def test_d8_unranked_accounts_are_partner_led_only():
    assert motion_for(None, None) is Motion.PARTNER_LED
    assert motion_for(None, Motion.PARTNER_LED) is Motion.PARTNER_LED
    with pytest.raises(DomainError):
        motion_for(None, Motion.SERVICES_AND_SUPPORT)


def test_d8_is_silent_on_rank_3_so_both_motions_are_allowed_partner_led_by_default():
    assert motion_for(Ranking.RANK_3, None) is Motion.PARTNER_LED
    assert motion_for(Ranking.RANK_3, Motion.SERVICES_AND_SUPPORT) is Motion.SERVICES_AND_SUPPORT


def _user(role: str, partner: int | None = None, active: bool = True) -> dict:
    return {"role": role, "partner": partner, "active": active}


def test_d3_assignees_match_the_owner_side():
    assert assignee_violations(Side.PARTNER, _user("PARTNER_USER", 7), 7) == []
    assert assignee_violations(Side.VENDOR, _user("ACCOUNT_EXECUTIVE"), 7) == []
    assert assignee_violations(Side.VENDOR, _user("CHANNEL_MANAGER"), 7) == []
    codes = [
        assignee_violations(Side.PARTNER, _user("PARTNER_USER", 8), 7)[0].code,
        assignee_violations(Side.PARTNER, _user("ACCOUNT_EXECUTIVE"), 7)[0].code,
        assignee_violations(Side.VENDOR, _user("PARTNER_USER", 7), 7)[0].code,
        assignee_violations(Side.VENDOR, _user("SDR", active=False), 7)[0].code,
    ]
    assert codes == ["ASSIGNEE_NOT_OF_PLAN_PARTNER", "ASSIGNEE_NOT_OF_PLAN_PARTNER", "ASSIGNEE_NOT_STAFF",
                     "ASSIGNEE_INACTIVE"]


def test_d3_due_dates_and_titles():
    assert due_date_violations(date(2030, 1, 10), date(2030, 1, 10)) == []
    assert due_date_violations(date(2030, 1, 9), date(2030, 1, 10))[0].code == "DUE_BEFORE_KICKOFF"
    assert [v.code for v in text_violations({"title": "  "})] == ["TITLE_REQUIRED"]
    assert [v.code for v in text_violations({"title": "x" * 201})] == ["TITLE_TOO_LONG"]
    assert text_violations({"title": "Demo", "notes": ""}) == []


def test_d3_overdue_and_progress():
    today = date(2030, 1, 10)
    assert is_overdue(date(2030, 1, 9), "OPEN", today)
    assert is_overdue(date(2030, 1, 9), "BLOCKED", today)
    assert not is_overdue(date(2030, 1, 9), "DONE", today)
    assert not is_overdue(date(2030, 1, 10), "IN_PROGRESS", today), "due today is not overdue yet"
    tasks = [{"status": "DONE", "due_date": date(2030, 1, 1)}, {"status": "OPEN", "due_date": date(2030, 1, 1)},
             {"status": "IN_PROGRESS", "due_date": date(2030, 2, 1)}]
    p = progress(tasks, today)
    assert (p.done, p.total, p.overdue) == (1, 3, 1)


def test_d3_the_kickoff_stays_on_or_before_every_task_due_date():
    assert kickoff_violations(date(2030, 1, 10), None) == []
    assert kickoff_violations(date(2030, 1, 10), date(2030, 1, 10)) == []
    (violation,) = kickoff_violations(date(2030, 1, 11), date(2030, 1, 10))
    assert (violation.code, violation.field, violation.rule) == ("KICKOFF_AFTER_TASK_DUE", ("kickoffDate",), "D3")
