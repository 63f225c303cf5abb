"""Partner lifecycle (P1, P2) and people (partner admins, invitations, the directory).
Roles, regions and rules are checked in partners.program."""

from __future__ import annotations

from datetime import date

import strawberry

from partners.people.enums import Role as DomainRole
from partners.program import lifecycle, members
from schema.core.access import ADMIN, PUBLIC, access, roles
from schema.core.context import Info
from schema.core.domain import call_domain
from schema.core.enums import PartnerTrack, PartnerType, Region, Role, TrainingCourse
from schema.core.errors import UserError
from schema.core.node import decode_node_id
from schema.core.permissions import require_principal
from schema.identity.program_types import PartnerAgreement, PartnerApplication, TrainingCompletion
from schema.identity.types import PartnerNode, UserNode
from schema.partners.rate_limit import spend_application

PROGRAM_MANAGERS = roles(DomainRole.ADMIN, DomainRole.CHANNEL_MANAGER,
                         description="admins and channel managers (of the partner's region, P1)")
PEOPLE_MANAGERS = roles(DomainRole.ADMIN, DomainRole.PARTNER_ADMIN,
                        description="admins, and partner admins for their own partner")
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


@strawberry.input
class InviteUserInput:
    email: str
    name: str
    role: Role
    partner_id: strawberry.ID | None = strawberry.field(
        default=None, description="Partner-side roles: their partner (partner admins: always their own).")
    regions: list[Region] = strawberry.field(default_factory=list,
                                             description="Channel managers: the regions covered (D1).")


@strawberry.input
class ClaimInvitationInput:
    token: str = strawberry.field(description="The one-time token from the invitation email.")


@strawberry.input
class DeactivateUserInput:
    id: strawberry.ID


@strawberry.input(description="Users have one role; a partner-side role needs the partner, a channel manager regions.")
class ChangeUserRolesInput:
    id: strawberry.ID
    role: Role
    partner_id: strawberry.ID | None = None
    regions: list[Region] | None = strawberry.field(default=None, description="Unchanged when omitted.")


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


@strawberry.type
class UserPayload:
    user: UserNode | None
    errors: list[UserError]


@strawberry.type
class ClaimInvitationPayload:
    user: UserNode | None
    token: str | None = strawberry.field(description="Your first API token. Shown only in this response: store it.")
    errors: list[UserError]


def _partner_payload(row: dict | None, errors: list[UserError]) -> PartnerPayload:
    return PartnerPayload(partner=PartnerNode.from_row(row) if row else None, errors=errors)


def _user_payload(row: dict | None, errors: list[UserError]) -> UserPayload:
    return UserPayload(user=UserNode.from_row(row) if row else None, errors=errors)


def _partner_id(info: Info, value, field: str = "id") -> int:
    return decode_node_id(info, value, PartnerNode, field)


def _regions(values) -> list:
    return [Region(r) for r in values] if values is not None else None


@strawberry.type
class PartnerProgramMutation:
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

    @strawberry.mutation(description="Change a partner's profile or its locator listing: admins, channel managers "
                         "of its region.", extensions=[access(PROGRAM_MANAGERS)])
    async def update_partner(self, info: Info, input: UpdatePartnerInput) -> PartnerPayload:
        changes = {key: getattr(input, name) for key, name in (
            ("name", "name"), ("nickname", "nickname"), ("partner_type", "type"), ("region", "region"),
            ("country", "country"), ("city", "city"), ("website", "website"), ("published", "published"))
            if getattr(input, name) is not None}
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

    @strawberry.mutation(description="Invite a user: an inactive account and an email with a one-time claim "
                         "token. Admins: any role; partner admins: colleagues of their own partner.",
                         extensions=[access(PEOPLE_MANAGERS)])
    async def invite_user(self, info: Info, input: InviteUserInput) -> UserPayload:
        partner_id = _partner_id(info, input.partner_id, "partnerId") if input.partner_id else None
        return _user_payload(*await call_domain(members.invite_user(
            require_principal(info), email=input.email, name=input.name, role=DomainRole(input.role.value),
            partner_id=partner_id, regions=_regions(input.regions))))

    @strawberry.mutation(description="Claim an invitation (no sign-in needed): the account becomes active and the "
                         "answer holds its first API token. A token claims once.", extensions=[access(PUBLIC)])
    async def claim_invitation(self, info: Info, input: ClaimInvitationInput) -> ClaimInvitationPayload:
        result, errors = await call_domain(members.claim_invitation(input.token))
        if result is None:
            return ClaimInvitationPayload(user=None, token=None, errors=errors)
        row, token = result
        return ClaimInvitationPayload(user=UserNode.from_row(row), token=token, errors=[])

    @strawberry.mutation(description="Deactivate a user: their tokens stop at once here and within "
                         "COSELL_AUTH_CACHE_SECONDS elsewhere. Admins: anyone; partner admins: their colleagues.",
                         extensions=[access(PEOPLE_MANAGERS)])
    async def deactivate_user(self, info: Info, input: DeactivateUserInput) -> UserPayload:
        return _user_payload(*await call_domain(members.deactivate_user(
            require_principal(info), decode_node_id(info, input.id, UserNode))))

    @strawberry.mutation(description="Admins: change a user's role (one per user), partner and regions.",
                         extensions=[access(ADMIN)])
    async def change_user_roles(self, info: Info, input: ChangeUserRolesInput) -> UserPayload:
        partner_id = _partner_id(info, input.partner_id, "partnerId") if input.partner_id else None
        return _user_payload(*await call_domain(members.change_role(
            require_principal(info), decode_node_id(info, input.id, UserNode), DomainRole(input.role.value),
            partner_id=partner_id, regions=_regions(input.regions))))
