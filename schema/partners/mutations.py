"""Partner lifecycle (P1, P2), with the people (schema/partners/people.py) and the P2 record
corrections (schema/partners/records.py) merged into one Mutation part. Roles, regions and
rules are checked in partners.program."""

from __future__ import annotations

from datetime import date

import strawberry

from partners.people.enums import Role as DomainRole
from partners.program import lifecycle
from schema.core.access import PUBLIC, access, roles
from schema.core.context import Info
from schema.core.domain import call_domain
from schema.core.enums import PartnerTrack, PartnerType, Region, TrainingCourse
from schema.core.errors import UserError
from schema.core.node import decode_node_id
from schema.core.permissions import require_principal
from schema.identity.program_types import PartnerAgreement, PartnerApplication, TrainingCompletion
from schema.identity.types import PartnerNode
from schema.partners.people import PartnerPeopleMutation
from schema.partners.rate_limit import spend_application
from schema.partners.records import PartnerRecordsMutation

PROGRAM_MANAGERS = roles(DomainRole.ADMIN, DomainRole.CHANNEL_MANAGER,
                         description="admins and channel managers (of the partner's region, P1)")
# Self-service applications per client network (IPv4 address, IPv6 /64) and clock hour, counted
# in the database for every instance (schema/partners/rate_limit.py).
APPLICATIONS_PER_HOUR = 5


@strawberry.input
class CreatePartnerInput:
    name: str
    type: PartnerType = PartnerType.RESELLER
    region: Region = Region.AMER
    country: str = "US"
    city: str = ""
    website: str = ""
    nickname: str = strawberry.field(default="", description="Prefix of its opportunity names (R2); unique.")


@strawberry.input(description="The applicant, kept as the partner's first contact.")
class ApplicantContactInput:
    name: str
    email: str
    title: str = ""


@strawberry.input
class ApplyAsPartnerInput:
    name: str
    contact: ApplicantContactInput
    type: PartnerType = PartnerType.RESELLER
    region: Region = Region.AMER
    country: str = "US"
    city: str = ""
    website: str = ""


@strawberry.input(description="Only the given fields change.")
class UpdatePartnerInput:
    id: strawberry.ID
    name: str | None = None
    nickname: str | None = None
    type: PartnerType | None = None
    region: Region | None = None
    country: str | None = None
    city: str | None = None
    website: str | None = None
    published: bool | None = strawberry.field(default=None, description="Listed in the locator (P1, D7).")
    specializations: list[str] | None = strawberry.field(
        default=None, description="D7: replaces the list; lower-case codes such as kubernetes (at most 30).")
    languages: list[str] | None = strawberry.field(default=None, description="D7: replaces the list; ISO 639-1 codes.")
    regions_served: list[Region] | None = strawberry.field(
        default=None, description="D7: replaces the list; the home region is always kept.")
    countries_served: list[str] | None = strawberry.field(
        default=None, description="D7: replaces the list; ISO 3166-1 alpha-2 codes; the home country is always kept.")
    latitude: float | None = strawberry.field(default=strawberry.UNSET, description="D7 `near`: with longitude; "
                                              "null (both) clears the location.")
    longitude: float | None = strawberry.UNSET


@strawberry.input
class AuthorizePartnerInput:
    id: strawberry.ID
    reason: str = ""


@strawberry.input
class DenyPartnerInput:
    id: strawberry.ID
    reason: str = strawberry.field(description="Required (P1).")


@strawberry.input
class ChangePartnerTrackInput:
    id: strawberry.ID
    track: PartnerTrack
    reason: str = strawberry.field(description="Required (P1): why, e.g. the invitation.")


@strawberry.input
class SetPspDesignationInput:
    id: strawberry.ID
    is_psp: bool
    reason: str = ""


@strawberry.input
class RecordPartnerAgreementInput:
    partner_id: strawberry.ID
    version: str
    signed_on: date
    signer_name: str
    signer_email: str = ""


@strawberry.input
class RecordTrainingCompletionInput:
    partner_id: strawberry.ID
    person_name: str
    person_email: str
    completed_on: date
    course: TrainingCourse = TrainingCourse.PARTNER_FOUNDATIONS
    expires_on: date | None = None


@strawberry.type
class PartnerPayload:
    partner: PartnerNode | None
    errors: list[UserError]


@strawberry.type
class ApplyAsPartnerPayload:
    application: PartnerApplication | None
    errors: list[UserError]


@strawberry.type
class RecordPartnerAgreementPayload:
    agreement: PartnerAgreement | None
    partner: PartnerNode | None
    errors: list[UserError]


@strawberry.type
class RecordTrainingCompletionPayload:
    training: TrainingCompletion | None
    partner: PartnerNode | None
    errors: list[UserError]


def _partner_payload(row: dict | None, errors: list[UserError]) -> PartnerPayload:
    return PartnerPayload(partner=PartnerNode.from_row(row) if row else None, errors=errors)


def _partner_id(info: Info, value, field: str = "id") -> int:
    return decode_node_id(info, value, PartnerNode, field)


@strawberry.type
class PartnerProgramMutation(PartnerPeopleMutation, PartnerRecordsMutation):
    @strawberry.mutation(description="A new PROSPECT partner on the OPEN track (P1): admins, channel managers of "
                         "its region.", extensions=[access(PROGRAM_MANAGERS)])
    async def create_partner(self, info: Info, input: CreatePartnerInput) -> PartnerPayload:
        fields = lifecycle.PartnerFields(name=input.name, partner_type=input.type, region=input.region,
                                         country=input.country, city=input.city, website=input.website,
                                         nickname=input.nickname)
        return _partner_payload(*await call_domain(lifecycle.create_partner(require_principal(info), fields)))

    @strawberry.mutation(description="Self-service: apply to the partner program (no sign-in needed). Creates a "
                         "PROSPECT with the applicant as contact and emails them a confirmation; rate-limited.",
                         extensions=[access(PUBLIC)])
    async def apply_as_partner(self, info: Info, input: ApplyAsPartnerInput) -> ApplyAsPartnerPayload:
        spent = await spend_application(info.context.request, APPLICATIONS_PER_HOUR)
        if not spent.allowed:
            minutes = -(-spent.reset_in // 60)
            error = UserError(code="RATE_LIMITED", message=f"Too many applications from your network "
                              f"({APPLICATIONS_PER_HOUR} an hour); try again in {minutes} min.", field=[], rule=None)
            return ApplyAsPartnerPayload(application=None, errors=[error])
        fields = lifecycle.PartnerFields(name=input.name, partner_type=input.type, region=input.region,
                                         country=input.country, city=input.city, website=input.website)
        contact = lifecycle.ApplicantContact(name=input.contact.name, email=input.contact.email,
                                             title=input.contact.title)
        row, errors = await call_domain(lifecycle.apply_as_partner(fields, contact))
        if row is None:
            return ApplyAsPartnerPayload(application=None, errors=errors)
        return ApplyAsPartnerPayload(application=PartnerApplication(
            name=row["name"], status=row["status"],
            message="Thank you: a channel manager of your region will review the application."), errors=[])

    @strawberry.mutation(description="Change a partner's profile, its locator listing or its directory profile "
                         "(specializations, location, regions, countries and languages served; the locator sees it "
                         "at its next search): admins, channel managers of its region.", extensions=[access(PROGRAM_MANAGERS)])
    async def update_partner(self, info: Info, input: UpdatePartnerInput) -> PartnerPayload:
        changes = {key: getattr(input, name) for key, name in (
            ("name", "name"), ("nickname", "nickname"), ("partner_type", "type"), ("region", "region"),
            ("country", "country"), ("city", "city"), ("website", "website"), ("published", "published"))
            if getattr(input, name) is not None}
        changes.update({key: getattr(input, name) for key, name in (
            ("specializations", "specializations"), ("languages", "languages"), ("regions_served", "regions_served"),
            ("countries_served", "countries_served")) if getattr(input, name) is not None})
        changes.update({key: getattr(input, key) for key in ("latitude", "longitude")
                        if getattr(input, key) is not strawberry.UNSET})
        return _partner_payload(*await call_domain(lifecycle.update_partner(
            require_principal(info), _partner_id(info, input.id), changes)))

    @strawberry.mutation(description="P1: authorize a PROSPECT (or DENIED) partner. The open opportunities it "
                         "is on are settled again: it may be primary there now (R7, R8; the name follows, R2).",
                         extensions=[access(PROGRAM_MANAGERS)])
    async def authorize_partner(self, info: Info, input: AuthorizePartnerInput) -> PartnerPayload:
        return _partner_payload(*await call_domain(lifecycle.authorize_partner(
            require_principal(info), info.context.rules, _partner_id(info, input.id), input.reason)))

    @strawberry.mutation(description="P1: deny a partner (reason required). It no longer registers, quotes or "
                         "appears in the locator; its approved registrations are dissolved (P5), the other live "
                         "ones closed, its held leads recalled (P11); it is primary on no open opportunity any "
                         "more (R6: each team it is on is settled again, the name follows, R2).", extensions=[access(PROGRAM_MANAGERS)])
    async def deny_partner(self, info: Info, input: DenyPartnerInput) -> PartnerPayload:
        return _partner_payload(*await call_domain(lifecycle.deny_partner(
            require_principal(info), info.context.rules, _partner_id(info, input.id), input.reason)))

    @strawberry.mutation(description="P1: move a partner to another track; SELECT and SELECT_SERVICES by "
                         "invitation (AUTHORIZED partners). Reason required; kept in `history`.",
                         extensions=[access(PROGRAM_MANAGERS)])
    async def change_partner_track(self, info: Info, input: ChangePartnerTrackInput) -> PartnerPayload:
        return _partner_payload(*await call_domain(lifecycle.change_track(
            require_principal(info), _partner_id(info, input.id), PartnerTrack(input.track), input.reason)))

    @strawberry.mutation(description="P1: give or take the PSP (professional services partner) designation.",
                         extensions=[access(PROGRAM_MANAGERS)])
    async def set_psp_designation(self, info: Info, input: SetPspDesignationInput) -> PartnerPayload:
        return _partner_payload(*await call_domain(lifecycle.set_psp(
            require_principal(info), _partner_id(info, input.id), input.is_psp, input.reason)))

    @strawberry.mutation(description="P2: record the signed partner agreement (date, version, signer).",
                         extensions=[access(PROGRAM_MANAGERS)])
    async def record_partner_agreement(self, info: Info, input: RecordPartnerAgreementInput
                                       ) -> RecordPartnerAgreementPayload:
        partner_id = _partner_id(info, input.partner_id, "partnerId")
        row, errors = await call_domain(lifecycle.record_agreement(
            require_principal(info), partner_id, version=input.version, signed_on=input.signed_on,
            signer_name=input.signer_name, signer_email=input.signer_email))
        partner = await lifecycle.get_visible(info.context.principal, partner_id) if row else None
        return RecordPartnerAgreementPayload(agreement=PartnerAgreement.from_row(row) if row else None,
                                             partner=PartnerNode.from_row(partner) if partner else None, errors=errors)

    @strawberry.mutation(description="P2: record one person's training completion.",
                         extensions=[access(PROGRAM_MANAGERS)])
    async def record_training_completion(self, info: Info, input: RecordTrainingCompletionInput
                                         ) -> RecordTrainingCompletionPayload:
        partner_id = _partner_id(info, input.partner_id, "partnerId")
        row, errors = await call_domain(lifecycle.record_training(
            require_principal(info), partner_id, person_name=input.person_name, person_email=input.person_email,
            course=TrainingCourse(input.course), completed_on=input.completed_on, expires_on=input.expires_on))
        partner = await lifecycle.get_visible(info.context.principal, partner_id) if row else None
        return RecordTrainingCompletionPayload(training=TrainingCompletion.from_row(row) if row else None,
                                               partner=PartnerNode.from_row(partner) if partner else None,
                                               errors=errors)
