"""Pure rules of deal registrations: P4 working hours, account matching, P1/P2, P4 transitions."""

from datetime import datetime, timezone

from partners.program.eligibility import eligibility_violations
from partners.registrations.enums import DealRegistrationStatus as Status
from partners.registrations.rules import (
    add_working_hours,
    customer_account_violation,
    match_account,
    normalize_company_name,
    normalize_domain,
    registered_opportunity_name,
    review_targets,
    transition_violation,
)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def test_p4_working_hours_are_monday_to_friday_nine_to_five_utc():
    assert add_working_hours(utc(2026, 11, 23, 10), 2) == utc(2026, 11, 23, 12)  # Monday
    assert add_working_hours(utc(2026, 11, 23, 16), 2) == utc(2026, 11, 24, 10)  # past 17:00 → next morning
    assert add_working_hours(utc(2026, 11, 27, 16, 30), 2) == utc(2026, 11, 30, 10, 30)  # Friday → Monday
    assert add_working_hours(utc(2026, 11, 28, 12), 2) == utc(2026, 11, 30, 11)  # Saturday counts from Monday 9:00
    assert add_working_hours(utc(2026, 11, 23, 7), 2) == utc(2026, 11, 23, 11)  # before 9:00
    # P4: first review within 2 working hours, decision within 1 business day (8 working hours).
    assert review_targets(utc(2026, 11, 23, 14)) == (utc(2026, 11, 23, 16), utc(2026, 11, 24, 14))


def test_prospects_match_accounts_by_domain_then_normalised_name():
    assert normalize_domain("https://www.Acme.com/about?x=1") == "acme.com"
    assert normalize_domain("acme.com:443") == "acme.com"
    assert normalize_company_name("ACME, Inc.") == normalize_company_name("Acme Inc") == "acme"
    assert normalize_company_name("Pied Piper Pty Ltd") == "pied piper"
    accounts = [{"id": 2, "name": "Acme, Inc", "website": "acme.com"}, {"id": 1, "name": "Acme GmbH", "website": ""},
                {"id": 3, "name": "Other", "website": "https://acme.io"}]
    assert match_account("Whatever", "http://acme.io", accounts)["id"] == 3  # domain first
    assert match_account("acme inc", "", accounts)["id"] == 1  # oldest name match
    assert match_account("Globex", "globex.com", accounts) is None


def test_p1_p2_eligibility():
    ok = {"status": "AUTHORIZED", "agreement_signed_at": utc(2026, 1, 1), "trained_employees": 1}
    assert eligibility_violations(ok) == []
    bad = {"status": "DENIED", "agreement_signed_at": None, "trained_employees": 0}
    assert [v.rule for v in eligibility_violations(bad)] == ["P1", "P2", "P2"]


def test_p4_transitions():
    assert transition_violation(Status.PENDING_MANAGER_REVIEW, "APPROVED") is None
    assert transition_violation(Status.SUBMITTED, "APPROVED").rule == "P4"
    assert transition_violation(Status.RETURNED, "RESUBMITTED") is None
    assert transition_violation(Status.APPROVED, "WITHDRAWN").code == "INVALID_TRANSITION"
    assert transition_violation(Status.ON_HOLD, "WITHDRAWN") is None


def test_r2_o10_registered_opportunity_name():
    assert registered_opportunity_name("P4", "Acme, Inc", 50, "Premium", utc(2027, 1, 1).date()) == \
        "P4 - Acme, Inc- 50 Premium"


def test_r1_channel_and_partner_organisation_accounts_are_no_end_customers():
    """Issue 16: R1 at submission, for every channel type (A5) and any partner's own account."""
    for account_type, partner in (("RESELLER", None), ("PROSPECTIVE_RESELLER", None), ("INTEGRATOR", None),
                                  ("CUSTOMER", 7), ("PROSPECT", 7)):
        violation = customer_account_violation({"account_type": account_type, "partner": partner}, ("customer",))
        assert (violation.code, violation.field, violation.rule) == ("RESELLER_ACCOUNT", ("customer",), "R1")
    for account_type in ("PROSPECT", "CUSTOMER", "FORMER_CUSTOMER"):
        assert customer_account_violation({"account_type": account_type, "partner": None}, ("customer",)) is None


def test_p4_a_returned_registration_may_be_denied_but_not_approved():
    assert transition_violation(Status.RETURNED, "DENIED") is None
    assert transition_violation(Status.RETURNED, "APPROVED").rule == "P4"
