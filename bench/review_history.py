"""The bench world's deal registration history after submission (issue 36): review steps
and decisions with the P4 working-time durations the channel metrics read, as
`partners.registrations.records.record` stores them; and which opportunity stages are closed."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from partners.opportunities.enums import OpportunityStage
from partners.registrations.enums import DealRegistrationStatus as S
from partners.registrations.rules import working_seconds_between

CLOSED_STAGES = {OpportunityStage.CLOSED_WON, OpportunityStage.CLOSED_LOST, OpportunityStage.UNQUALIFIED,
                 OpportunityStage.DUPLICATE}
_REVIEWED = {S.PENDING_SALES_REVIEW, S.PENDING_MANAGER_REVIEW, S.RETURNED, S.ON_HOLD, S.APPROVED, S.DENIED,
             S.EXPIRED, S.CLOSED, S.DISSOLVED}


def review_history(history, rng: random.Random, rid: int, status: S, submitted: datetime,
                    decided: datetime | None, reviewer: int, partner_user: int, now: datetime) -> None:
    """P4 history after the submission, with the working-time durations the channel metrics
    read (as `partners.registrations.records.record` stores them): a first review step, then
    the decision (approved ones: APPROVED, expired ones also EXPIRED), or a return, or a withdrawal."""
    def change(event: str, from_status: S, to_status: S, at: datetime, by: int, first: bool = False,
               decision: bool = False) -> None:
        seconds = working_seconds_between(submitted, at)
        history.add(registration=rid, event=event, from_status=from_status, to_status=to_status, changed_by=by,
                    changed_at=at, first_review_seconds=seconds if first else None,
                    decision_seconds=seconds if decision else None)

    if status is S.WITHDRAWN:
        change("WITHDRAWN", S.SUBMITTED, S.WITHDRAWN, submitted + timedelta(hours=rng.uniform(1, 48)), partner_user)
        return
    if status not in _REVIEWED:
        return
    span = (decided - submitted) if decided else timedelta(hours=6)
    first_at = submitted + span * rng.uniform(0.05, 0.6)
    if status is S.RETURNED:
        change("RETURNED", S.SUBMITTED, S.RETURNED, first_at, reviewer, first=True)
        return
    change("PENDING_SALES_REVIEW", S.SUBMITTED, S.PENDING_SALES_REVIEW, first_at, reviewer, first=True)
    if decided is None:
        return
    if status is S.DENIED:
        change("DENIED", S.PENDING_SALES_REVIEW, S.DENIED, decided, reviewer, decision=True)
    elif status in (S.APPROVED, S.EXPIRED, S.DISSOLVED, S.CLOSED):
        change("APPROVED", S.PENDING_MANAGER_REVIEW, S.APPROVED, decided, reviewer, decision=True)
        expiry = decided + timedelta(days=90)
        if status is S.EXPIRED and expiry < now:
            change("EXPIRED", S.APPROVED, S.EXPIRED, expiry, None)
