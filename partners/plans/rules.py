"""Co-sell plans (D3, D4, D8): the pure rules (no database, no awaits).

The partner motion of a plan (D8), what a task's title, goals, notes, assignee and due
date must be (D3), and when a task is overdue. The writes that apply them, in
transactions, and the confirmations (D4) are in `partners.plans.service`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable

from partners.accounts.enums import Ranking
from partners.infra.clock import now
from partners.infra.errors import DomainError, Violation
from partners.people.enums import PARTNER_ROLES, Role
from partners.people.principal import STAFF_ROLES
from partners.plans.enums import CoSellMotion as Motion, CoSellTaskSide as Side, CoSellTaskStatus as Status

# D3: a task title is required and short; goals and notes are bounded.
TITLE_MAX = 200
GOALS_MAX = 5000
NOTES_MAX = 5000

# D8: rank 1–2 accounts (1, 1.5, 2) get services and technical support from partners.
SERVICES_RANKS = frozenset({Ranking.RANK_1, Ranking.RANK_1_5, Ranking.RANK_2})


def d8_motions(ranking: Ranking | None) -> tuple[Motion, frozenset[Motion]]:
    """D8: the default motion for an account's ranking (A9), and the motions allowed.

    Rank 1–2: services and technical support (demos, POCs, co-selling with cloud
    providers). Unranked: the partner leads as primary sales contact. Rank 3: D8 is silent,
    so both are allowed and the default is partner-led (the least vendor effort)."""
    if ranking in SERVICES_RANKS:
        return Motion.SERVICES_AND_SUPPORT, frozenset({Motion.SERVICES_AND_SUPPORT})
    if ranking is None:
        return Motion.PARTNER_LED, frozenset({Motion.PARTNER_LED})
    return Motion.PARTNER_LED, frozenset(Motion)


def motion_for(ranking: Ranking | None, requested: Motion | None) -> Motion:
    """The plan's motion: the D8 default, or the requested one if D8 allows it."""
    default, allowed = d8_motions(ranking)
    if requested is None:
        return default
    if requested not in allowed:
        rank = f"rank {ranking.value}" if ranking else "unranked"
        raise DomainError.single(
            "MOTION_CONTRADICTS_D8",
            f"On a {rank} account the partner motion is {default.value} (D8), not {requested.value}.",
            "motion", rule="D8",
        )
    return requested


def text_violations(fields: dict[str, Any]) -> list[Violation]:
    """Titles are required and short; goals and notes are bounded."""
    violations = []
    if "title" in fields:
        title = (fields["title"] or "").strip()
        if not title:
            violations.append(Violation("TITLE_REQUIRED", "A task needs a title.", ("title",), "D3"))
        elif len(title) > TITLE_MAX:
            violations.append(Violation("TITLE_TOO_LONG", f"A title has at most {TITLE_MAX} characters.",
                                        ("title",), "D3"))
    for key, limit in (("goals", GOALS_MAX), ("notes", NOTES_MAX)):
        if len(fields.get(key) or "") > limit:
            violations.append(Violation(f"{key.upper()}_TOO_LONG", f"At most {limit} characters.", (key,)))
    return violations


def assignee_violations(side: Side, assignee: dict, plan_partner_id: int, field: str = "assigneeId") -> list[Violation]:
    """D3: a PARTNER-side task goes to a user of the plan's partner, a VENDOR-side one to
    vendor staff; either way an active user."""
    if not assignee["active"]:
        return [Violation("ASSIGNEE_INACTIVE", "The assignee's account is deactivated.", (field,), "D3")]
    if side is Side.PARTNER and (Role(assignee["role"]) not in PARTNER_ROLES or assignee["partner"] != plan_partner_id):
        return [Violation("ASSIGNEE_NOT_OF_PLAN_PARTNER",
                          "A partner-side task is assigned to a user of the plan's partner.", (field,), "D3")]
    if side is Side.VENDOR and Role(assignee["role"]) not in STAFF_ROLES:
        return [Violation("ASSIGNEE_NOT_STAFF", "A vendor-side task is assigned to vendor staff.", (field,), "D3")]
    return []


def due_date_violations(due: date, kickoff: date) -> list[Violation]:
    if due < kickoff:
        return [Violation("DUE_BEFORE_KICKOFF", f"A task is due on or after the kickoff ({kickoff.isoformat()}).",
                          ("dueDate",), "D3")]
    return []


def today() -> date:
    """Overdue is judged against today's date in UTC."""
    return now().date()


def is_overdue(due_date: date, status: Status | str, on: date) -> bool:
    """A task is overdue when it is not DONE and its due date has passed."""
    return Status(status) is not Status.DONE and due_date < on


def kickoff_violations(kickoff: date, earliest_due: date | None) -> list[Violation]:
    """D3: every task is due on or after the kickoff, so the kickoff cannot move past a task."""
    if earliest_due is not None and kickoff > earliest_due:
        return [Violation("KICKOFF_AFTER_TASK_DUE",
                          f"A task of this plan is due on {earliest_due.isoformat()}: the kickoff is on or before it.",
                          ("kickoffDate",), "D3")]
    return []


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    overdue: int


def progress(tasks: Iterable[dict], on: date) -> Progress:
    # One pass, comparing the stored value (`is_overdue` per task was a tenth of a
    # dashboard's plan completion, issue 17).
    done = total = overdue = 0
    for task in tasks:
        total += 1
        if task["status"] == _DONE:
            done += 1
        elif task["due_date"] < on:
            overdue += 1
    return Progress(done=done, total=total, overdue=overdue)


_DONE = Status.DONE.value
