"""The partner program's records as GraphQL types (P1, P2). They hang off a Partner, so
whoever sees the partner (staff; its own users) sees them. The P1 history (PartnerChange)
names a User, so it lives with Partner and User in schema/identity/types.py, which imports
this module. The program's queries and mutations are in schema/partners/, above this package."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from schema.core.enums import TrainingCourse
from schema.core.errors import UserError


@strawberry.type(description="P2: a signed partner agreement.")
class PartnerAgreement:
    version: str
    signed_on: date
    signer_name: str
    signer_email: str
    recorded_at: datetime

    @classmethod
    def from_row(cls, row: dict) -> "PartnerAgreement":
        return cls(version=row["version"], signed_on=row["signed_on"], signer_name=row["signer_name"],
                   signer_email=row["signer_email"], recorded_at=row["recorded_at"])


@strawberry.type(description="P2: one person's completion of one course.")
class TrainingCompletion:
    person_name: str
    person_email: str
    course: TrainingCourse
    completed_on: date
    expires_on: date | None

    @classmethod
    def from_row(cls, row: dict) -> "TrainingCompletion":
        return cls(person_name=row["person_name"], person_email=row["person_email"],
                   course=TrainingCourse(row["course"]), completed_on=row["completed_on"],
                   expires_on=row["expires_on"])


@strawberry.type(description="P1/P2: whether the partner may register deals now, and why not.")
class PartnerEligibility:
    eligible_to_register: bool
    reasons: list[UserError] = strawberry.field(description="Empty when eligible; codes with their rule ids.")
    agreement_signed_on: date | None = strawberry.field(description="The latest signed agreement's date.")
    trained_people: int = strawberry.field(description="People with a current PARTNER_FOUNDATIONS completion.")


@strawberry.type(description="The answer to a partner application: no id, nothing of other partners.")
class PartnerApplication:
    name: str
    status: str
    message: str
