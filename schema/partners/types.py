"""The partner program's records as GraphQL types (P1, P2). They hang off a Partner, so
whoever sees the partner (staff; its own users) sees them."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.core.context import Info

from schema.core.enums import PartnerChangeKind, TrainingCourse
from schema.core.errors import UserError
from schema.identity.loaders import load_users

if TYPE_CHECKING:
    from schema.identity.types import UserNode


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


@strawberry.type(description="P1 history: a status, track or PSP change, with why.")
class PartnerChange:
    kind: PartnerChangeKind
    from_value: str = strawberry.field(description="Empty for the first status.")
    to_value: str
    reason: str
    changed_at: datetime
    changed_by_id: strawberry.Private[int | None]

    @strawberry.field(description="Who made the change, when you may see them (null for an applicant).")
    async def changed_by(self, info: Info) -> Annotated["UserNode", strawberry.lazy("schema.identity.types")] | None:
        from schema.identity.types import UserNode  # imports this module

        if self.changed_by_id is None:
            return None
        row = await info.context.loaders(load_users).load(self.changed_by_id)
        return UserNode.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: dict) -> "PartnerChange":
        return cls(kind=PartnerChangeKind(row["kind"]), from_value=row["from_value"], to_value=row["to_value"],
                   reason=row["reason"], changed_at=row["changed_at"], changed_by_id=row["changed_by"])


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
