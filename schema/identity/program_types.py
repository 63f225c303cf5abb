"""The partner program's records as GraphQL types (P1, P2). They hang off a Partner, so
whoever sees the partner (staff; its own users) sees them. The P1 history (PartnerChange)
names a User, so it lives with Partner and User in schema/identity/types.py, which imports
this module. The program's queries and mutations are in schema/partners/, above this package."""

from __future__ import annotations

from datetime import date, datetime
from typing import Iterable

import strawberry
from strawberry import relay

from partners.infra.clock import now
from partners.program.eligibility import agreement_in_force
from partners.program.scoping import agreement_scope, training_scope
from partners.program.tables import PartnerAgreement as AgreementTable, PartnerTraining
from schema.core.access import node_access
from schema.core.context import Info
from schema.core.enums import TrainingCourse
from schema.core.errors import UserError
from schema.core.rows import int_ids
from schema.identity.program_loaders import load_agreements_by_id, load_trainings_by_id


@strawberry.type(description="P2: a signed partner agreement; it counts from `signedOn` up to the day before "
                 "`endedOn`.")
class PartnerAgreement(relay.Node):
    id: relay.NodeID[int]
    version: str
    signed_on: date
    signer_name: str
    signer_email: str
    recorded_at: datetime
    ended_on: date | None = strawberry.field(description="Ended (endPartnerAgreement): not in force from this day.")
    end_reason: str = strawberry.field(description="Why it ended; empty while it has not.")

    @strawberry.field(description="P2: signed, and not ended (today, UTC).")
    def in_force(self) -> bool:
        return agreement_in_force(self.signed_on, self.ended_on, now().date())

    @classmethod
    def from_row(cls, row: dict) -> "PartnerAgreement":
        return cls(id=row["id"], version=row["version"], signed_on=row["signed_on"], signer_name=row["signer_name"],
                   signer_email=row["signer_email"], recorded_at=row["recorded_at"], ended_on=row["ended_on"],
                   end_reason=row["end_reason"])

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        rows = await info.context.loaders(load_agreements_by_id).load_many(int_ids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


@strawberry.type(description="P2: one person's completion of one course.")
class TrainingCompletion(relay.Node):
    id: relay.NodeID[int]
    person_name: str
    person_email: str
    course: TrainingCourse
    completed_on: date
    expires_on: date | None

    @classmethod
    def from_row(cls, row: dict) -> "TrainingCompletion":
        return cls(id=row["id"], person_name=row["person_name"], person_email=row["person_email"],
                   course=TrainingCourse(row["course"]), completed_on=row["completed_on"],
                   expires_on=row["expires_on"])

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        rows = await info.context.loaders(load_trainings_by_id).load_many(int_ids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


@strawberry.type(description="P1/P2: whether the partner may register deals now, and why not.")
class PartnerEligibility:
    eligible_to_register: bool
    reasons: list[UserError] = strawberry.field(description="Empty when eligible; codes with their rule ids.")
    agreement_signed_on: date | None = strawberry.field(description="The signed date of the latest agreement in "
                                                        "force.")
    trained_people: int = strawberry.field(description="People with a current PARTNER_FOUNDATIONS completion.")


@strawberry.type(description="The answer to a partner application: no id, nothing of other partners.")
class PartnerApplication:
    name: str
    status: str
    message: str


node_access(PartnerAgreement, AgreementTable, agreement_scope, "whoever sees the partner: staff; its own users")
node_access(TrainingCompletion, PartnerTraining, training_scope, "whoever sees the partner: staff; its own users")
