"""A partner's people and the staff directory: invitations (an email with a one-time claim
token, through the outbox: partners.program.invitations), re-sending and renewing them,
claiming (the new user's first API token), deactivation, reactivation and role changes.

Admins invite anyone and change roles; a PARTNER_ADMIN invites colleagues into their own
partner and deactivates them — never anyone of another partner (NOT_FOUND, as if absent),
and an address that already has a user is EMAIL_UNAVAILABLE to them whoever holds it.
A deactivated SMB advocate (or one whose role changes) gives their cases in progress back
to the queue (D9). A DENIED partner gets no new users and its admins deactivate nobody
(PARTNER_DENIED, P1: see partners.people.standing).
"""

from __future__ import annotations

from partners.cases.service import ADVOCATES, release_cases_of
from partners.infra.clock import now
from partners.infra.db import after_commit, is_unique_violation, lock_for_update, transaction
from partners.infra.errors import DomainError, NotFound, PermissionDenied, Violation
from partners.people.enums import PARTNER_ROLES, PartnerStatus, Region, Role
from partners.people.identity import forget_cached_principals, hash_token, issue_token, validate_user_fields
from partners.people.principal import Principal
from partners.people.scoping import scoped, user_scope
from partners.people.standing import CODE as DENIED_CODE, denied_error, is_denied, refuse_if_partner_denied
from partners.people.tables import ApiToken, Partner, User
from partners.program import invitations
from partners.program.invitations import INVITATION_PREFIX, INVITATION_TOKEN_MAX
from partners.program.lifecycle import email_violation, text_violations
from partners.program.tables import UserInvitation

PEOPLE_MANAGERS = (Role.ADMIN, Role.PARTNER_ADMIN)


def invitation_violations(principal: Principal, role: Role, partner_id: int | None) -> list[Violation]:
    """Who may invite whom: admins anyone; a partner admin only partner-side users of their partner."""
    if principal.is_admin:
        return []
    if role not in PARTNER_ROLES:
        return [Violation("ROLE_NOT_ALLOWED", "Partner admins invite PARTNER_USERs and PARTNER_ADMINs.", ("role",))]
    if partner_id is not None and partner_id != principal.partner_id:
        return [Violation("NOT_FOUND", "Partner not found.", ("partnerId",))]
    return []


EMAIL_UNAVAILABLE = "EMAIL_UNAVAILABLE"


def email_refusal(principal: Principal, email: str) -> DomainError:
    """Why an address that already has a user cannot be invited. Admins see every user and
    get EMAIL_TAKEN. A partner admin gets one neutral answer, EMAIL_UNAVAILABLE, whoever
    holds the address — a colleague, another partner's user, vendor staff, an unclaimed
    invitation — so it never tells whether or where the address has an account (partner
    users see only their own partner's data, ARCHITECTURE.md; no DOMAIN.md rule applies)."""
    if principal.is_admin:
        return DomainError.single("EMAIL_TAKEN", f"A user with email {email} exists.", "email")
    return DomainError.single(EMAIL_UNAVAILABLE, "This address cannot be invited. Check it, or ask your "
                              "channel manager to add this person.", "email")


def _require_people_manager(principal: Principal) -> None:
    if principal is None or principal.role not in PEOPLE_MANAGERS:
        raise PermissionDenied("This needs one of the roles: ADMIN, PARTNER_ADMIN.")


async def _managed_user(principal: Principal, user_id: int, field: str = "id") -> dict:
    """A user the caller manages, row-locked: admins any; partner admins their partner's."""
    condition = user_scope(principal)
    row = await scoped(User.select(User.id), condition).where(User.id == user_id).first()
    if row is None:
        raise NotFound.of("User", field)
    await lock_for_update(User, user_id)
    return await User.select().where(User.id == user_id).first()


async def invite_user(principal: Principal, *, email: str, name: str, role: Role, partner_id: int | None = None,
                      regions: list[Region] | None = None) -> dict:
    """An inactive user and a one-time invitation emailed to them (after commit)."""
    _require_people_manager(principal)
    email = (email or "").strip().lower()
    violations = text_violations({"name": name, "email": email}, required=("name", "email"))
    if email and (v := email_violation(email, "email")):
        violations.append(v)
    violations += invitation_violations(principal, role, partner_id)
    if violations:
        raise DomainError(violations)
    if principal.role is Role.PARTNER_ADMIN:
        partner_id = principal.partner_id
    regions = list(regions or [])
    validate_user_fields(role, partner_id, regions)
    async with transaction():
        partner = None
        if partner_id is not None:
            partner = await Partner.select(Partner.id, Partner.name, Partner.status).where(
                Partner.id == partner_id).first()
            if partner is None:
                raise NotFound.of("Partner", "partnerId")
            if partner["status"] == PartnerStatus.DENIED.value:  # P1, whoever invites
                raise DomainError.single(DENIED_CODE, "A denied partner gets no new users.", "partnerId", "P1")
        existing = await User.select().where(User.email == email).first()
        if existing is not None:
            # Issue 34: an address whose user never claimed an invitation (pending, expired or
            # withdrawn) is invited again, by whoever manages that user: a new token.
            return await _renew(principal, existing, partner, name=name.strip(), role=role, regions=regions)
        at = now()
        user = User(email=email, name=name.strip(), role=role.value, partner=partner_id,
                    regions=[r.value for r in regions], active=False, created_at=at)
        try:
            await user.save()
        except Exception as exc:
            if is_unique_violation(exc):
                raise email_refusal(principal, email) from exc
            raise
        row = await User.select().where(User.id == user.id).first()
        await invitations.send(principal, row, partner["name"] if partner else None, at)
        return row


async def _renew(principal: Principal, user: dict, partner: dict | None, *, name: str, role: Role,
                 regions: list[Region]) -> dict:
    """inviteUser to the address of someone who never claimed: the same user, as now invited."""
    visible = await scoped(User.select(User.id), user_scope(principal)).where(User.id == user["id"]).first()
    if visible is None or user["active"] or not await invitations.never_claimed(user["id"]):
        raise email_refusal(principal, user["email"])
    await lock_for_update(User, user["id"])
    at = now()
    await invitations.refuse_if_over_limit(user["id"], at, "email")
    await User.update({User.name: name, User.role: role.value, User.partner: partner["id"] if partner else None,
                       User.regions: [r.value for r in regions]}).where(User.id == user["id"])
    row = await User.select().where(User.id == user["id"]).first()
    await invitations.send(principal, row, partner["name"] if partner else None, at)
    return row


async def _partner_name(partner_id: int | None, field: str) -> str | None:
    """The partner's name for the email; P1: a DENIED partner gets no new users, whoever acts."""
    if partner_id is None:
        return None
    partner = await Partner.select(Partner.name, Partner.status).where(Partner.id == partner_id).first()
    if partner["status"] == PartnerStatus.DENIED.value:
        raise DomainError.single(DENIED_CODE, "A denied partner gets no new users.", field, "P1")
    return partner["name"]


async def resend_invitation(principal: Principal, user_id: int) -> dict:
    """A new invitation (new token, new expiry) to someone who never claimed one, whether it
    is pending, expired or withdrawn; the older token no longer claims."""
    _require_people_manager(principal)
    async with transaction():
        await refuse_if_partner_denied(principal, "id")
        row = await _managed_user(principal, user_id)
        if row["active"]:
            raise DomainError.single("ALREADY_ACTIVE", "This person's account is active: nothing to send.", "id")
        if not await invitations.never_claimed(user_id):
            raise DomainError.single("INVITATION_CLAIMED", "This person claimed their account and was deactivated "
                                     "later: reactivate them (reactivateUser).", "id")
        partner_name = await _partner_name(row["partner"], "id")
        at = now()
        await invitations.refuse_if_over_limit(user_id, at, "id")
        await invitations.send(principal, row, partner_name, at)
        return row


async def reactivate_user(principal: Principal, user_id: int) -> dict:
    """A deactivated user is active again. Their API tokens were revoked when they were
    deactivated and stay revoked (any still live is revoked now): they get a one-time token
    by email to claim a new API token (claimInvitation); SSO sign-in works at once."""
    _require_people_manager(principal)
    async with transaction():
        await refuse_if_partner_denied(principal, "id")
        row = await _managed_user(principal, user_id)
        if row["active"]:
            raise DomainError.single("ALREADY_ACTIVE", "This person's account is active.", "id")
        if await invitations.never_claimed(user_id):
            raise DomainError.single("INVITATION_NOT_CLAIMED", "This person never claimed their invitation: "
                                     "send it again (resendInvitation).", "id")
        partner_name = await _partner_name(row["partner"], "id")
        at = now()
        await invitations.refuse_if_over_limit(user_id, at, "id")
        await User.update({User.active: True}).where(User.id == user_id)
        await ApiToken.update({ApiToken.revoked_at: at}).where((ApiToken.user == user_id)
                                                               & ApiToken.revoked_at.is_null())
        row = {**row, "active": True}
        await invitations.send(principal, row, partner_name, at, reactivation=True)
    after_commit(forget_cached_principals)
    return row


async def claim_invitation(token: str) -> tuple[dict, str]:
    """The invited user becomes active and gets their first API token; a token claims once."""
    token = (token or "").strip()
    invalid = DomainError.single("INVALID_INVITATION", "This invitation is unknown, used or expired.", "token")
    if not token.startswith(INVITATION_PREFIX) or len(token) > INVITATION_TOKEN_MAX:
        raise invalid
    async with transaction():
        at = now()
        claimed = await UserInvitation.update({UserInvitation.claimed_at: at}).where(
            (UserInvitation.token_hash == hash_token(token)) & invitations.pending(at)
        ).returning(UserInvitation.user)
        if not claimed:
            raise invalid
        user_id = claimed[0]["user"]
        # P1: a denied partner gets no new users; the claim is undone, so the invitation
        # claims once the partner is authorized again (until it expires).
        partner_id = (await User.select(User.partner).where(User.id == user_id).first())["partner"]
        if await is_denied(partner_id):
            raise denied_error("token")
        await User.update({User.active: True}).where(User.id == user_id)
        _, plaintext = await issue_token(user_id, name="first token (invitation)")
        return await User.select().where(User.id == user_id).first(), plaintext


async def deactivate_user(principal: Principal, user_id: int) -> dict:
    """The user's tokens stop at once in this process, and elsewhere within the principal
    cache's age (COSELL_AUTH_CACHE_SECONDS), and are revoked: a reactivated user never gets
    them back. An unclaimed invitation is withdrawn (kept, dead: it may be renewed)."""
    _require_people_manager(principal)
    if user_id == principal.user_id:
        raise DomainError.single("CANNOT_DEACTIVATE_SELF", "Ask another administrator to deactivate you.", "id")
    async with transaction():
        await refuse_if_partner_denied(principal, "id")  # P1: a DENIED partner's admins do not act
        row = await _managed_user(principal, user_id)
        at = now()
        await User.update({User.active: False}).where(User.id == user_id)
        await ApiToken.update({ApiToken.revoked_at: at}).where((ApiToken.user == user_id)
                                                               & ApiToken.revoked_at.is_null())
        await UserInvitation.update({UserInvitation.withdrawn_at: at}).where(
            (UserInvitation.user == user_id) & invitations.live())
        await release_cases_of(principal, user_id, "ADVOCATE_DEACTIVATED")  # D9
        row = {**row, "active": False}
    after_commit(forget_cached_principals)  # the GraphQL field's transaction commits later
    return row


async def change_role(principal: Principal, user_id: int, role: Role, *, partner_id: int | None = None,
                      regions: list[Region] | None = None) -> dict:
    """Admins: one role per user, with the partner (partner-side roles) and regions it needs."""
    if principal is None or not principal.is_admin:
        raise PermissionDenied("This needs one of the roles: ADMIN.")
    if user_id == principal.user_id and role is not Role.ADMIN:
        raise DomainError.single("CANNOT_CHANGE_OWN_ROLE", "Ask another administrator to change your role.", "role")
    async with transaction():
        row = await _managed_user(principal, user_id)
        regions = list(regions) if regions is not None else [Region(r) for r in row["regions"] or []]
        # The partner stays when the role stays partner-side, and goes when it becomes staff
        # (unless one is named: then validate_user_fields refuses it).
        if partner_id is None and role in PARTNER_ROLES:
            partner_id = row["partner"]
        validate_user_fields(role, partner_id, regions)
        if partner_id is not None and not await Partner.exists().where(Partner.id == partner_id):
            raise NotFound.of("Partner", "partnerId")
        await User.update({User.role: role.value, User.partner: partner_id,
                           User.regions: [r.value for r in regions]}).where(User.id == user_id)
        if role not in ADVOCATES:  # D9: only an advocate holds cases in progress
            await release_cases_of(principal, user_id, "ADVOCATE_ROLE_CHANGED")
        row = await User.select().where(User.id == user_id).first()
    after_commit(forget_cached_principals)  # a cached principal carries the old role
    return row


async def pending_invitations(user_ids: list[int]) -> set[int]:
    """Which of these users have an unclaimed, unexpired invitation."""
    if not user_ids:
        return set()
    rows = await UserInvitation.select(UserInvitation.user).where(
        UserInvitation.user.is_in(sorted(set(user_ids))) & invitations.pending(now()))
    return {r["user"] for r in rows}
