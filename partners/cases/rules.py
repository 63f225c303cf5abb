"""Pure rules of the SMB case workflow (D9–D14): clocks, Next Steps, closing criteria."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from partners.cases.enums import CLOSED, EXEMPT_TYPES, CaseStatus, CaseType
from partners.infra.errors import Violation

SUBJECT_PREFIX = "Partner Opp"
ESCALATION_TAG = "#advocate"  # D15: a renewal manager escalates a case to the advocates
PICKUP_HOURS = 24  # D9: picked up within 24 hours
TARGET_DAYS = 7  # D14: resolved within 7 days …
CLOSE_DAYS = 15  # D9/D14: … 15 at most (except the exempt types)
UNRESPONSIVE_DAYS = 15  # D10: closed unresponsive after 15 days of trying to reach the customer
MAX_HELD = 50  # D9: an advocate holds at most 50 cases in progress (WAITING ones included)
REOPEN_DAYS = 30  # D10 (our choice): a closed case reopens within 30 days of closing
REQUEST_NOT_POSSIBLE = "REQUEST_NOT_POSSIBLE"  # D14: the only early close of a High Value Account case
NO_FEEDBACK = "NA"  # D12
# D12: the handbook's dictionary (004), the data the migration writes.
SEED_RESOLUTION_ACTIONS = (
    ("ANSWERED_QUESTION", "Answered Question"), ("RECOMMENDED_RESOURCE", "Recommended Resource"),
    ("TRANSFERRED_TO_SUPPORT", "Transferred To Support"), ("GROWTH_CONVERSATION", "Growth Conversation"),
    ("DIRECTED_TO_ONLINE_PURCHASE", "Directed to Online Purchase"),
    ("COMPLETED_SALES_ASSISTED_ORDER", "Completed Sales Assisted Order"),
    (REQUEST_NOT_POSSIBLE, "Request Not Possible"), ("NO_ACTION_REQUIRED", "No Action Required"),
    ("FAILED_TO_ENGAGE", "Failed to Engage"),
)
_NEXT_STEPS = re.compile(r"^(\d{4}-\d{2}-\d{2}) ([A-Za-z]{1,4}) (\S.*)$", re.DOTALL)
_CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,63}$")


def subject_with_prefix(subject: str) -> str:
    """D9: every case from the partner organisation is titled "Partner Opp …"."""
    text = " ".join(subject.split())
    if text.lower().startswith(SUBJECT_PREFIX.lower()):
        return SUBJECT_PREFIX + text[len(SUBJECT_PREFIX):]
    return f"{SUBJECT_PREFIX}: {text}"


def is_escalated(subject: str) -> bool:
    return ESCALATION_TAG in subject.lower()


def due_times(opened_at: datetime) -> tuple[datetime, datetime, datetime]:
    """D9/D14: (pick-up due, 7-day target, 15-day limit)."""
    return (opened_at + timedelta(hours=PICKUP_HOURS), opened_at + timedelta(days=TARGET_DAYS),
            opened_at + timedelta(days=CLOSE_DAYS))


def is_closed(status: str) -> bool:
    return CaseStatus(status) in CLOSED


def is_exempt(case_type: str) -> bool:
    """D14: High Value Account, Renewal Will Fail, PO Required, First Order and Contact Later
    cases have no 7/15-day target."""
    return CaseType(case_type) in EXEMPT_TYPES


def pickup_overdue(row: dict, at: datetime) -> bool:
    return row["status"] == CaseStatus.OPEN.value and row["pickup_due_at"] <= at


def target_overdue(row: dict, at: datetime) -> bool:
    due = row["target_due_at"] or row["opened_at"] + timedelta(days=TARGET_DAYS)
    return not is_closed(row["status"]) and not is_exempt(row["case_type"]) and due <= at


def close_overdue(row: dict, at: datetime) -> bool:
    return not is_closed(row["status"]) and not is_exempt(row["case_type"]) and row["close_due_at"] <= at


def overdue(row: dict, at: datetime) -> bool:
    """Past any of its deadlines: not picked up in 24 hours, or open past 15 days (D9, D14)."""
    return pickup_overdue(row, at) or close_overdue(row, at)


def fiscal_year_end(day: date, start_month: int) -> date:
    """The first day of the fiscal year after the one `day` is in (fiscal years start on the
    1st of `start_month`)."""
    start_year = day.year if day.month >= start_month else day.year - 1
    return date(start_year + 1, start_month, 1)


def initials_of(name: str) -> set[str]:
    """D11: the initials an advocate may sign Next Steps with: first and last name ("Mary
    Smith" → MS), or every word of the name."""
    words = [w for w in re.split(r"[\s\-]+", name.strip()) if w and w[0].isalpha()]
    if not words:
        return set()
    return {(words[0][0] + words[-1][0]).upper() if len(words) > 1 else words[0][0].upper(),
            "".join(w[0] for w in words).upper()}


def default_next_steps(today: date, name: str) -> str:
    """D11: what pick-up writes when the advocate gives no Next Steps (the cadence's day 1)."""
    initials = sorted(initials_of(name), key=len)
    return f"{today.isoformat()} {initials[0] if initials else 'XX'} First touch email to the customer"


def next_steps_violations(text: str, steps_date: date | None, actor_name: str) -> list[Violation]:
    """D11: "YYYY-MM-DD INITIALS what" signed with the acting advocate's initials, and a date."""
    violations = []
    text = text.strip()
    match = _NEXT_STEPS.match(text)
    if not text:
        violations.append(Violation("NEXT_STEPS_REQUIRED", "Next Steps are mandatory once the case is in progress.",
                                    ("nextSteps",), "D11"))
    elif match is None or not _valid_date(match.group(1)):
        violations.append(Violation(
            "NEXT_STEPS_FORMAT", 'Write Next Steps as "YYYY-MM-DD INITIALS what", e.g. '
            '"2024-07-12 MS Send quote to customer".', ("nextSteps",), "D11"))
    elif match.group(2).upper() not in initials_of(actor_name):
        allowed = " or ".join(sorted(initials_of(actor_name))) or "yours"
        violations.append(Violation("NEXT_STEPS_INITIALS", f"Sign Next Steps with your initials ({allowed}).",
                                    ("nextSteps",), "D11"))
    if steps_date is None:
        violations.append(Violation("NEXT_STEPS_DATE_REQUIRED", "Give the Next Steps date.", ("nextStepsDate",),
                                    "D11"))
    return violations


def _valid_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def resolution_action_code_violations(code: str, label: str) -> list[Violation]:
    violations = []
    if not _CODE.match(code):
        violations.append(Violation("INVALID_CODE", "A code is 2–64 of A–Z, 0–9 and _, starting with a letter.",
                                    ("code",), "D12"))
    if not label.strip():
        violations.append(Violation("LABEL_REQUIRED", "Give the label advocates see.", ("label",), "D12"))
    return violations


def closing_violations(row: dict, status: CaseStatus, action: str, feedback: str, *, known_action: bool,
                       today: date, at: datetime, duplicate_of: int | None, fiscal_start_month: int) -> list[Violation]:
    """D10, D11, D12, D14 on the case itself (D13's opportunity is checked by the service)."""
    violations = []
    if status not in CLOSED:
        violations.append(Violation("NOT_A_CLOSED_STATUS", "Close as CLOSED_RESOLVED, CLOSED_DUPLICATE or "
                                    "CLOSED_UNRESPONSIVE.", ("status",), "D10"))
    if not action:
        violations.append(Violation("RESOLUTION_ACTION_REQUIRED", "Closing needs a resolution action.",
                                    ("resolutionAction",), "D12"))
    elif not known_action:
        violations.append(Violation("UNKNOWN_RESOLUTION_ACTION", "Choose a resolution action of the dictionary.",
                                    ("resolutionAction",), "D12"))
    if not feedback.strip():
        violations.append(Violation("FEEDBACK_REQUIRED", f'Feedback is mandatory ("{NO_FEEDBACK}" when there is '
                                    "none).", ("feedback",), "D12"))
    if row["lead_name"] or row["lead_email"]:
        violations.append(Violation("LEAD_NOT_CONVERTED", "Convert the lead on the case to a contact first.",
                                    ("id",), "D11"))
    if status is CaseStatus.CLOSED_RESOLVED:
        if row["contact"] is None:
            violations.append(Violation("CONTACT_REQUIRED", "Attach the contact before closing as resolved.",
                                        ("id",), "D12"))
        if row["next_steps_date"] is None or row["next_steps_date"] > today:
            violations.append(Violation("NEXT_STEPS_DATE_IN_FUTURE", "A case with a future (or no) Next Steps date "
                                        "is not resolved.", ("id",), "D12"))
    if status is CaseStatus.CLOSED_DUPLICATE and duplicate_of is None:
        violations.append(Violation("DUPLICATE_OF_REQUIRED", "Name the case this one duplicates.",
                                    ("duplicateOfId",), "D10"))
    if status is CaseStatus.CLOSED_UNRESPONSIVE:
        since = row["contact_attempts_since"]
        if since is None or at < since + timedelta(days=UNRESPONSIVE_DAYS):
            violations.append(Violation("NOT_UNRESPONSIVE_YET", f"Closed unresponsive only after {UNRESPONSIVE_DAYS} "
                                        "days of trying to reach the customer.", ("status",), "D10"))
    if (row["case_type"] == CaseType.HIGH_VALUE_ACCOUNT.value and action != REQUEST_NOT_POSSIBLE
            and today < fiscal_year_end(row["opened_at"].date(), fiscal_start_month)):
        violations.append(Violation("HIGH_VALUE_CASE_STAYS_OPEN", "A High Value Account case stays open all fiscal "
                                    "year; it closes early only as Request Not Possible (the customer churns).",
                                    ("resolutionAction",), "D14"))
    return violations
