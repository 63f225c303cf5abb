"""The pure rules of the case workflow (partners/cases/rules.py, D9–D14) and the attachment
name sanitizer, without the database."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from partners.cases import rules
from partners.cases.attachments import sanitized_file_name
from partners.cases.enums import CaseStatus

AT = datetime(2030, 3, 4, 9, tzinfo=timezone.utc)


def row(**values) -> dict:
    base = {"status": "IN_PROGRESS", "case_type": "GENERAL", "opened_at": AT, "pickup_due_at": AT + timedelta(hours=24),
            "target_due_at": AT + timedelta(days=7), "close_due_at": AT + timedelta(days=15), "lead_name": "",
            "lead_email": "", "contact": 1, "next_steps_date": AT.date(), "contact_attempts_since": AT}
    return {**base, **values}


def test_d9_subject_prefix_and_d15_escalation_tag():
    assert rules.subject_with_prefix("  help  me ") == "Partner Opp: help me"
    assert rules.subject_with_prefix("PARTNER OPP – pricing") == "Partner Opp – pricing"
    assert rules.is_escalated("Renewal #Advocate") and not rules.is_escalated("Renewal")


def test_d14_targets_and_exempt_types():
    assert rules.due_times(AT) == (AT + timedelta(hours=24), AT + timedelta(days=7), AT + timedelta(days=15))
    late = AT + timedelta(days=16)
    assert rules.target_overdue(row(), late) and rules.close_overdue(row(), late) and rules.overdue(row(), late)
    for exempt in ("HIGH_VALUE_ACCOUNT", "RENEWAL_WILL_FAIL", "PO_REQUIRED", "FIRST_ORDER", "CONTACT_LATER"):
        assert rules.is_exempt(exempt)
        assert not rules.close_overdue(row(case_type=exempt), late)
    assert not rules.is_exempt("GENERAL") and not rules.is_exempt("PARTNER_OPP")
    assert not rules.close_overdue(row(status="CLOSED_RESOLVED"), late)
    assert rules.pickup_overdue(row(status="OPEN"), AT + timedelta(hours=24))


def test_d14_fiscal_year_end():
    assert rules.fiscal_year_end(date(2030, 3, 4), 2) == date(2031, 2, 1)
    assert rules.fiscal_year_end(date(2030, 1, 31), 2) == date(2030, 2, 1)
    assert rules.fiscal_year_end(date(2030, 2, 1), 2) == date(2031, 2, 1)
    assert rules.fiscal_year_end(date(2030, 6, 1), 1) == date(2031, 1, 1)


@pytest.mark.parametrize("name, initials", [("Mary Smith", {"MS"}), ("Kim Kowalski", {"KK"}),
                                            ("Sky SMB Advocate", {"SA", "SSA"}), ("Advocate", {"A"}),
                                            ("Jean-Luc Picard", {"JP", "JLP"}), ("", set())])
def test_d11_initials_from_the_advocates_name(name, initials):
    assert rules.initials_of(name) == initials


def test_d11_next_steps_format_initials_and_date():
    ok = rules.next_steps_violations("2024-07-12 MS Send quote to customer", date(2024, 7, 12), "Mary Smith")
    assert ok == []
    codes = [v.code for v in rules.next_steps_violations("Contact", None, "Mary Smith")]
    assert codes == ["NEXT_STEPS_FORMAT", "NEXT_STEPS_DATE_REQUIRED"]
    wrong = rules.next_steps_violations("2024-07-12 KK Send quote", date(2024, 7, 12), "Mary Smith")
    assert [(v.code, v.rule) for v in wrong] == [("NEXT_STEPS_INITIALS", "D11")]
    assert [v.code for v in rules.next_steps_violations("", date(2024, 7, 12), "Mary Smith")] == [
        "NEXT_STEPS_REQUIRED"]
    assert rules.default_next_steps(date(2030, 3, 4), "Mary Smith") == "2030-03-04 MS First touch email to the customer"


def close_codes(r: dict, status=CaseStatus.CLOSED_RESOLVED, action="ANSWERED_QUESTION", feedback="NA", *,
                known=True, today=AT.date(), at=AT, duplicate_of=None) -> list[tuple[str, str]]:
    return [(v.code, v.rule) for v in rules.closing_violations(
        r, status, action, feedback, known_action=known, today=today, at=at, duplicate_of=duplicate_of,
        fiscal_start_month=2)]


def test_d10_d11_d12_closing_criteria():
    assert close_codes(row()) == []
    assert close_codes(row(), CaseStatus.IN_PROGRESS) == [("NOT_A_CLOSED_STATUS", "D10")]
    assert close_codes(row(), action="", feedback="") == [("RESOLUTION_ACTION_REQUIRED", "D12"),
                                                           ("FEEDBACK_REQUIRED", "D12")]
    assert close_codes(row(), known=False) == [("UNKNOWN_RESOLUTION_ACTION", "D12")]
    assert close_codes(row(contact=None, next_steps_date=AT.date() + timedelta(days=1))) == [
        ("CONTACT_REQUIRED", "D12"), ("NEXT_STEPS_DATE_IN_FUTURE", "D12")]
    assert close_codes(row(lead_email="robin@acme.test")) == [("LEAD_NOT_CONVERTED", "D11")]
    assert close_codes(row(), CaseStatus.CLOSED_DUPLICATE) == [("DUPLICATE_OF_REQUIRED", "D10")]
    assert close_codes(row(contact=None), CaseStatus.CLOSED_DUPLICATE, duplicate_of=7) == []
    assert close_codes(row(), CaseStatus.CLOSED_UNRESPONSIVE, at=AT + timedelta(days=14)) == [
        ("NOT_UNRESPONSIVE_YET", "D10")]
    assert close_codes(row(contact_attempts_since=None), CaseStatus.CLOSED_UNRESPONSIVE, at=AT + timedelta(days=30)) \
        == [("NOT_UNRESPONSIVE_YET", "D10")]
    assert close_codes(row(), CaseStatus.CLOSED_UNRESPONSIVE, at=AT + timedelta(days=15)) == []


def test_d14_a_high_value_case_closes_early_only_as_request_not_possible():
    hva = row(case_type="HIGH_VALUE_ACCOUNT")
    assert close_codes(hva) == [("HIGH_VALUE_CASE_STAYS_OPEN", "D14")]
    assert close_codes(hva, action=rules.REQUEST_NOT_POSSIBLE) == []
    assert close_codes(hva, today=date(2031, 2, 1)) == []


def test_d12_the_seed_dictionary_and_new_codes():
    assert [label for _, label in rules.SEED_RESOLUTION_ACTIONS] == [
        "Answered Question", "Recommended Resource", "Transferred To Support", "Growth Conversation",
        "Directed to Online Purchase", "Completed Sales Assisted Order", "Request Not Possible",
        "No Action Required", "Failed to Engage"]
    assert rules.resolution_action_code_violations("PARTNER_HANDLED", "Partner handled") == []
    assert [v.code for v in rules.resolution_action_code_violations("bad code", " ")] == ["INVALID_CODE",
                                                                                        "LABEL_REQUIRED"]


@pytest.mark.parametrize("raw, clean", [
    ("PO 4711.pdf", "PO 4711.pdf"), ("../../etc/passwd", "passwd"), ("C:\\Users\\x\\po.pdf", "po.pdf"),
    ("..", "attachment"), ("", "attachment"), (".hidden", "hidden"), ("a\x00b\nc.pdf", "abc.pdf"),
    ("<script>.pdf", "_script_.pdf"), ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
])
def test_attachment_file_names_are_sanitized(raw, clean):
    assert sanitized_file_name(raw) == clean
