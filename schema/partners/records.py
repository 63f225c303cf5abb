"""Correcting the records behind P2 eligibility (issue 34): end an agreement, correct or
remove a training completion. Program managers of the partner's region (P1), as for
recording them; the rules are in partners.program.records."""

from __future__ import annotations

from datetime import date

import strawberry

from partners.people.enums import Role as DomainRole
from partners.program import lifecycle, records
from schema.core.access import access, roles
from schema.core.context import Info
from schema.core.domain import call_domain
from schema.core.enums import TrainingCourse
from schema.core.errors import UserError
from schema.core.node import decode_node_id
from schema.core.permissions import require_principal
from schema.identity.program_types import PartnerAgreement, TrainingCompletion
from schema.identity.types import PartnerNode

PROGRAM_MANAGERS = roles(DomainRole.ADMIN, DomainRole.CHANNEL_MANAGER,
                         description="admins and channel managers (of the partner's region, P1)")


@strawberry.input
class EndPartnerAgreementInput:
    id: strawberry.ID = strawberry.field(description="The PartnerAgreement's global id.")
    reason: str = strawberry.field(description="Required (P2).")
    ended_on: date | None = strawberry.field(
        default=None, description="Not in force from this day (default today: at once); not before it was signed.")


@strawberry.input(description="Only the given fields change; `expiresOn: null` clears the expiry.")
class CorrectTrainingCompletionInput:
    id: strawberry.ID = strawberry.field(description="The TrainingCompletion's global id.")
    person_name: str | None = None
    person_email: str | None = None
    course: TrainingCourse | None = None
    completed_on: date | None = None
    expires_on: date | None = strawberry.UNSET


@strawberry.input
class RemoveTrainingCompletionInput:
    id: strawberry.ID = strawberry.field(description="The TrainingCompletion's global id.")
    reason: str = strawberry.field(description="Required (P2): why it was recorded by mistake.")


@strawberry.type
class EndPartnerAgreementPayload:
    agreement: PartnerAgreement | None
    partner: PartnerNode | None
    errors: list[UserError]


@strawberry.type
class TrainingCompletionPayload:
    training: TrainingCompletion | None = strawberry.field(description="The record (as removed, for a removal).")
    partner: PartnerNode | None
    errors: list[UserError]


async def _partner(info: Info, row: dict | None) -> PartnerNode | None:
    if row is None:
        return None
    return PartnerNode.from_row(await lifecycle.get_visible(info.context.principal, row["partner"]))


@strawberry.type
class PartnerRecordsMutation:
    @strawberry.mutation(description="P2: end a partner agreement (reason required). Without another agreement in "
                         "force the partner no longer registers deals (AGREEMENT_NOT_SIGNED) from `endedOn`.",
                         extensions=[access(PROGRAM_MANAGERS)])
    async def end_partner_agreement(self, info: Info, input: EndPartnerAgreementInput) -> EndPartnerAgreementPayload:
        row, errors = await call_domain(records.end_agreement(
            require_principal(info), decode_node_id(info, input.id, PartnerAgreement), ended_on=input.ended_on,
            reason=input.reason))
        return EndPartnerAgreementPayload(agreement=PartnerAgreement.from_row(row) if row else None,
                                          partner=await _partner(info, row), errors=errors)

    @strawberry.mutation(description="P2: correct a training completion (person, course, dates); eligibility "
                         "follows at once.", extensions=[access(PROGRAM_MANAGERS)])
    async def correct_training_completion(self, info: Info, input: CorrectTrainingCompletionInput
                                          ) -> TrainingCompletionPayload:
        changes = {key: getattr(input, name) for key, name in (
            ("person_name", "person_name"), ("person_email", "person_email"), ("course", "course"),
            ("completed_on", "completed_on")) if getattr(input, name) is not None}
        if input.expires_on is not strawberry.UNSET:
            changes["expires_on"] = input.expires_on
        row, errors = await call_domain(records.correct_training(
            require_principal(info), decode_node_id(info, input.id, TrainingCompletion), changes))
        return TrainingCompletionPayload(training=TrainingCompletion.from_row(row) if row else None,
                                         partner=await _partner(info, row), errors=errors)

    @strawberry.mutation(description="P2: remove a training completion recorded by mistake (reason required); "
                         "eligibility follows at once.", extensions=[access(PROGRAM_MANAGERS)])
    async def remove_training_completion(self, info: Info, input: RemoveTrainingCompletionInput
                                         ) -> TrainingCompletionPayload:
        row, errors = await call_domain(records.remove_training(
            require_principal(info), decode_node_id(info, input.id, TrainingCompletion), input.reason))
        return TrainingCompletionPayload(training=TrainingCompletion.from_row(row) if row else None,
                                         partner=await _partner(info, row), errors=errors)
