"""Invitations (issue 34): sending one (a first invitation, a re-send, a renewal, the
credential of a reactivated user), their status, who sees them, and whether a user ever
claimed an account.

An invitation is a row of `user_invitation`: only the token's SHA-256 is kept, the token
travels in the email as an outbox secret. Sending a new one to a user supersedes every live
one of theirs (`superseded_at`), so only the newest token claims. Rows are kept when
withdrawn (the user deactivated before claiming) or superseded, so that the list of
invitations and the renewal know what happened.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from enum import Enum

from piccolo.columns.combination import Where, WhereRaw

from partners.infra import mail
from partners.infra.errors import DomainError
from partners.people.enums import Role
from partners.people.identity import hash_token
from partners.people.principal import Principal
from partners.people.scoping import NOTHING
from partners.people.tables import ApiToken, User
from partners.program.tables import UserInvitation

INVITATION_PREFIX = "csi_"
INVITATION_TOKEN_MAX = 100  # a claim token is the prefix and 43 characters: anything longer is not one
INVITATION_DAYS = 7
# At most this many invitations to one person in 24 hours, whoever sends them: a renewal
# mails an outside address, and nobody may use the server to flood it.
INVITATIONS_PER_DAY = 5


class InvitationStatus(str, Enum):
    PENDING = "PENDING"
    CLAIMED = "CLAIMED"
    EXPIRED = "EXPIRED"
    WITHDRAWN = "WITHDRAWN"
    SUPERSEDED = "SUPERSEDED"


def status_of(row: dict, at: datetime) -> InvitationStatus:
    if row["claimed_at"] is not None:
        return InvitationStatus.CLAIMED
    if row["withdrawn_at"] is not None:
        return InvitationStatus.WITHDRAWN
    if row["superseded_at"] is not None:
        return InvitationStatus.SUPERSEDED
    if row["expires_at"] <= at:
        return InvitationStatus.EXPIRED
    return InvitationStatus.PENDING


def live() -> Where:
    """Unclaimed and neither withdrawn nor superseded (expired or not)."""
    return (UserInvitation.claimed_at.is_null() & UserInvitation.withdrawn_at.is_null()
            & UserInvitation.superseded_at.is_null())


def pending(at: datetime) -> Where:
    return live() & (UserInvitation.expires_at > at)


def status_condition(status: InvitationStatus, at: datetime) -> Where:
    if status is InvitationStatus.PENDING:
        return pending(at)
    if status is InvitationStatus.EXPIRED:
        return live() & (UserInvitation.expires_at <= at)
    if status is InvitationStatus.CLAIMED:
        return UserInvitation.claimed_at.is_not_null()
    if status is InvitationStatus.WITHDRAWN:
        return UserInvitation.claimed_at.is_null() & UserInvitation.withdrawn_at.is_not_null()
    return (UserInvitation.claimed_at.is_null() & UserInvitation.withdrawn_at.is_null()
            & UserInvitation.superseded_at.is_not_null())


def invitation_scope(principal: Principal | None) -> Where | WhereRaw | None:
    """Staff read every invitation; a partner admin those of their partner's people; a
    partner user none (inviting is a partner admin's business)."""
    if principal is None:
        return NOTHING
    if principal.is_partner_user:
        if principal.role is not Role.PARTNER_ADMIN:
            return NOTHING
        return UserInvitation.user.partner == principal.partner_id
    return None


async def never_claimed(user_id: int) -> bool:
    """Whether this user was only ever invited: their invitations (pending, expired, withdrawn
    or superseded) were never claimed. A user without any invitation row counts as never
    claimed when they never held an API token nor signed in by SSO (an invitation withdrawn
    before issue 34 deleted its row)."""
    rows = await UserInvitation.select(UserInvitation.claimed_at).where(UserInvitation.user == user_id)
    if rows:
        return all(r["claimed_at"] is None for r in rows)
    user = await User.select(User.sso_subject).where(User.id == user_id).first()
    return user["sso_subject"] is None and not await ApiToken.exists().where(ApiToken.user == user_id)


async def refuse_if_over_limit(user_id: int, at: datetime, field: str) -> None:
    sent = await UserInvitation.count().where((UserInvitation.user == user_id)
                                              & (UserInvitation.created_at > at - timedelta(days=1)))
    if sent >= INVITATIONS_PER_DAY:
        raise DomainError.single("INVITATION_LIMIT", f"At most {INVITATIONS_PER_DAY} invitations a day to one "
                                 "person: try again tomorrow.", field)


async def send(principal: Principal, user: dict, partner_name: str | None, at: datetime, *,
               reactivation: bool = False) -> dict:
    """A new invitation to `user`, emailed through the outbox (after commit); their live
    invitations are superseded first, so an older token no longer claims."""
    await UserInvitation.update({UserInvitation.superseded_at: at}).where((UserInvitation.user == user["id"]) & live())
    token = INVITATION_PREFIX + secrets.token_urlsafe(32)
    invitation = UserInvitation(user=user["id"], uid=secrets.token_hex(16), token_hash=hash_token(token),
                                invited_by=principal.user_id, created_at=at,
                                expires_at=at + timedelta(days=INVITATION_DAYS))
    await invitation.save()
    where = f" at {partner_name}" if partner_name else ""
    if reactivation:
        subject, what = "Your cosell account is active again", "new"
        opening = (f"{principal.name} reactivated your cosell account ({user['role']}{where}). Your earlier API "
                   "tokens stay revoked. Your one-time token")
    else:
        subject, what = "Your cosell invitation", "first"
        opening = f"{principal.name} invited you to cosell as {user['role']}{where}.\n\nYour one-time invitation token"
    await mail.enqueue_email(
        user["email"], subject,
        f"Hello {user['name']},\n\n{opening} (valid {INVITATION_DAYS} days):\n\n"
        f"    {mail.secret_placeholder('token')}\n\n"
        "Claim it with the GraphQL mutation claimInvitation(input: {token: \"…\"}); the answer holds "
        f"your {what} API token.\n",
        # The token goes as a secret: the outbox scrubs it once the email is sent (or
        # dead), so the database keeps only its SHA-256. The dedupe key is the random
        # uid, never the id: one email per invitation, and a re-send is a new invitation.
        secrets={"token": token}, dedupe_key=f"invitation:{invitation.uid}")
    return await UserInvitation.select().where(UserInvitation.id == invitation.id).first()


async def expiry_of(user_ids: list[int]) -> dict[int, datetime]:
    """Each user's live (unclaimed, neither withdrawn nor superseded) invitation's expiry,
    past or not: at most one per user, the newest."""
    if not user_ids:
        return {}
    rows = await UserInvitation.select(UserInvitation.user, UserInvitation.expires_at).where(
        UserInvitation.user.is_in(sorted(set(user_ids))) & live()).order_by(UserInvitation.id)
    return {r["user"]: r["expires_at"] for r in rows}


def invitation_select():
    """Invitations with their user's email, name, role and partner (one join)."""
    user = UserInvitation.user
    return UserInvitation.select(*UserInvitation.all_columns(), user.email.as_alias("email"),
                                 user.name.as_alias("name"), user.role.as_alias("role"),
                                 user.partner.as_alias("partner"))
