"""Pure lead rules of issue 34: the duplicate check's company key and person similarity, the
extension limits, and what plugins receive."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from partners.leads import rules
from partners.leads.duplicates import company_key, reasons, similar_person
from partners.leads.enums import DuplicateReason, LeadDeadline, LeadStatus


@pytest.mark.parametrize("name, key", [
    ("Initech, Inc.", "initech"), ("INITECH", "initech"), ("Initech Inc", "initech"), ("Müller GmbH", "muller"),
    ("Acme Co. Ltd", "acme"), ("Co", "co"), ("", ""), ("  The  Globex   Corporation ", "the globex"),
])
def test_p11_company_key_ignores_case_punctuation_and_legal_forms(name, key):
    assert company_key(name) == key


@pytest.mark.parametrize("a, b, similar", [
    ("Peter Gibbons", "peter gibbons", True), ("Peter Gibbons", "Gibbons, Peter", True),
    ("P. Gibbons", "Peter Gibbons", True), ("Jon Smith", "John Smith", True), ("", "", True),
    ("Peter Gibbons", "Samir Nagheenanajar", False), ("Peter Gibbons", "", False),
    ("Paul Gibbons", "Mary Gibbons", False),
])
def test_p11_similar_person(a, b, similar):
    assert similar_person(a, b) is similar


def lead(**fields) -> dict:
    return {"contact_email": "", "contact_name": "", "company_key": "", **fields}


def test_p11_duplicate_reasons():
    a = lead(contact_email="peter@initech.test", contact_name="Peter Gibbons", company_key="initech")
    assert reasons(a, lead(contact_email="PETER@initech.test")) == (DuplicateReason.SAME_EMAIL,)
    assert reasons(a, lead(contact_name="P Gibbons", company_key="initech")) == (
        DuplicateReason.SAME_COMPANY_SIMILAR_CONTACT,)
    assert reasons(a, a) == (DuplicateReason.SAME_EMAIL, DuplicateReason.SAME_COMPANY_SIMILAR_CONTACT)
    assert reasons(lead(), lead()) == ()  # no email, no company: nothing to compare


def test_p11_extensions_are_1_to_5_business_days_on_the_current_deadline():
    assert rules.extension_days_violation(1) is None and rules.extension_days_violation(5) is None
    for days in (0, 6, -1):
        violation = rules.extension_days_violation(days)
        assert (violation.code, violation.rule) == ("EXTENSION_TOO_LONG", "P11")
    assert rules.extension_target(LeadStatus.SHARED) is LeadDeadline.ACCEPT
    assert rules.extension_target(LeadStatus.ACCEPTED) is LeadDeadline.ACTION
    assert rules.extension_target(LeadStatus.CONTACTED) is None and rules.extension_target(LeadStatus.NEW) is None
    assert {"ACCEPTED", "REJECTED", "RECALLED", "TAKEN_BACK", "REASSIGNED", "CONTACTED"} <= rules.LEAVES_DEADLINE
    assert "UPDATED" not in rules.LEAVES_DEADLINE and "EXTENSION_APPROVED" not in rules.LEAVES_DEADLINE


def test_p11_plugins_receive_the_new_fields_as_plain_data():
    at = datetime(2030, 3, 1, 10, tzinfo=timezone.utc)
    row = {key: None for key in ("shared_at", "accept_due_at", "action_due_at", "accepted_at", "acted_at",
                                 "archived_at", "partner", "created_by", "shared_by", "deal_registration",
                                 "opportunity", "action", "recall_reason")}
    row.update(id=1, company="Initech", contact_name="", contact_email="", region="AMER", country="US",
               product_interest="", notes="", source="staff", status="NEW", share_count=0, reason="", recall_count=0,
               priority="HIGH", deal_size=Decimal("1200.50"), deal_size_currency="EUR", extension_pending=False,
               account=7, partner_contact=None, created_at=at)
    data = rules.snapshot(row)
    assert (data["deal_size"], data["deal_size_currency"], data["priority"], data["account_id"]) == (
        "1200.50", "EUR", "HIGH", 7)
    assert data["created_at"] == at.isoformat() and data["archived_at"] is None


def test_p11_the_partner_a_lead_is_taken_from_hears_of_it_and_never_of_the_account():
    from partners.webhooks.events import SOURCES

    at = datetime(2030, 3, 1, 10, tzinfo=timezone.utc)
    row = {key: None for key in ("shared_at", "accept_due_at", "action_due_at", "accepted_at", "acted_at",
                                 "archived_at", "partner", "created_by", "shared_by", "deal_registration",
                                 "opportunity", "action", "recall_reason", "partner_contact")}
    row.update(id=1, company="Initech", contact_name="", contact_email="", region="AMER", country="US",
               product_interest="", notes="", source="staff", status="NEW", share_count=1, reason="", recall_count=1,
               priority="HIGH", deal_size=None, deal_size_currency=None, extension_pending=False, account=7,
               created_at=at, recall_reason="TAKEN_BACK")
    event = SOURCES[rules.EVENT_KIND]({"event": "TAKEN_BACK", "lead": rules.snapshot(row), "partner_id": 3})
    assert (event.partner_id, event.type) == (3, "lead.taken_back")
    assert "account" not in str(event.data).lower()
    assert SOURCES[rules.EVENT_KIND]({"event": "UPDATED", "lead": rules.snapshot(row), "partner_id": None}) is None
