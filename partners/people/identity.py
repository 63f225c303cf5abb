"""Users, roles and API tokens.

Tokens are random (`cst_` + 32 random bytes, URL-safe), shown once, and stored as their
SHA-256 only, so a leaked database does not leak credentials.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time

from partners.infra.clock import now
from partners.infra.db import after_commit, transaction
from partners.infra.errors import DomainError, NotFound
from partners.people.enums import PARTNER_ROLES, Region, Role
from partners.people.principal import Principal
from partners.people.standing import refuse_if_partner_denied
from partners.people.tables import ApiToken, Partner, User

TOKEN_PREFIX = "cst_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _principal_from_row(row: dict) -> Principal:
    return Principal(
        user_id=row["id"],
        email=row["email"],
        name=row["name"],
        role=Role(row["role"]),
        partner_id=row["partner"],
        regions=tuple(Region(r) for r in (row["regions"] or [])),
    )


# Token hash → (monotonic expiry, principal), per process (issue 11: the token lookup was
# one SQL statement on every request). Only live tokens are kept. Revoking a token in this
# process empties the cache, so it stops working here at once; a revocation made by
# another process (the CLI, another instance) takes effect here within `max_age`.
_PRINCIPALS: dict[str, tuple[float, Principal]] = {}
_PRINCIPALS_MAX = 10_000


def forget_cached_principals() -> None:
    """After a revocation (or any change to who a token belongs to): look tokens up again."""
    _PRINCIPALS.clear()


async def authenticate(token: str, *, max_age: float = 0.0) -> Principal | None:
    """The principal of a live token of an active user, or None. With `max_age` > 0 a
    principal looked up less than `max_age` seconds ago in this process is reused."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    token_hash = hash_token(token)
    if max_age > 0:
        cached = _PRINCIPALS.get(token_hash)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
    principal = await _lookup(token_hash)
    if principal is not None and max_age > 0:
        if len(_PRINCIPALS) >= _PRINCIPALS_MAX:
            _PRINCIPALS.clear()
        _PRINCIPALS[token_hash] = (time.monotonic() + max_age, principal)
    return principal


async def _lookup(token_hash: str) -> Principal | None:
    rows = await (
        ApiToken.select(
            ApiToken.user.id.as_alias("id"),
            ApiToken.user.email.as_alias("email"),
            ApiToken.user.name.as_alias("name"),
            ApiToken.user.role.as_alias("role"),
            ApiToken.user.partner.as_alias("partner"),
            ApiToken.user.regions.as_alias("regions"),
        )
        .where(
            (ApiToken.token_hash == token_hash)
            & ApiToken.revoked_at.is_null()
            & (ApiToken.user.active == True)  # noqa: E712 (SQL comparison)
        )
        .first()
    )
    return _principal_from_row(rows) if rows else None


def validate_user_fields(role: Role, partner_id: int | None, regions: list[Region]) -> None:
    if role in PARTNER_ROLES and partner_id is None:
        raise DomainError.single("PARTNER_REQUIRED", "A partner user belongs to one partner.", "partner")
    if role not in PARTNER_ROLES and partner_id is not None:
        raise DomainError.single("PARTNER_NOT_ALLOWED", "Only partner users belong to a partner.", "partner")
    if role is Role.CHANNEL_MANAGER and not regions:
        raise DomainError.single(
            "REGION_REQUIRED", "A channel manager covers one or more regions.", "regions", rule="D1"
        )


async def create_user(
    *, email: str, name: str, role: Role, partner_id: int | None = None, regions: list[Region] | None = None
) -> User:
    regions = list(regions or [])
    validate_user_fields(role, partner_id, regions)
    email = email.strip().lower()
    if await User.exists().where(User.email == email):
        raise DomainError.single("EMAIL_TAKEN", f"A user with email {email} exists.", "email")
    if partner_id is not None and not await Partner.exists().where(Partner.id == partner_id):
        raise NotFound.of("Partner", "partner")
    user = User(
        email=email,
        name=name,
        role=role.value,
        partner=partner_id,
        regions=[r.value for r in regions],
        created_at=now(),
    )
    await user.save()
    return user


async def issue_token(user_id: int, name: str = "") -> tuple[ApiToken, str]:
    """Create a token for a user; the plaintext is returned once and never stored."""
    if not await User.exists().where(User.id == user_id):
        raise NotFound.of("User", "user")
    plaintext = _new_token()
    token = ApiToken(
        user=user_id,
        name=name,
        prefix=plaintext[: len(TOKEN_PREFIX) + 8],
        token_hash=hash_token(plaintext),
        created_at=now(),
    )
    await token.save()
    return token, plaintext


async def revoke_token(prefix_or_token: str) -> int:
    """Revoke by the token itself or by its printed prefix; returns how many were revoked."""
    value = prefix_or_token.strip()
    condition = (
        ApiToken.token_hash == hash_token(value)
        if len(value) > len(TOKEN_PREFIX) + 8
        else ApiToken.prefix == value
    )
    live = await ApiToken.select(ApiToken.id).where(condition & ApiToken.revoked_at.is_null())
    if not live:
        return 0
    await ApiToken.update({ApiToken.revoked_at: now()}).where(ApiToken.id.is_in([r["id"] for r in live]))
    after_commit(forget_cached_principals)
    return len(live)


async def user_by_email(email: str) -> User:
    user = await User.objects().where(User.email == email.strip().lower()).first()
    if user is None:
        raise NotFound.of(f"User {email}", "email")
    return user


TOKEN_NAME_MAX = 100


async def create_token_for(principal: Principal, name: str) -> tuple[ApiToken, str]:
    """A new token for the caller themself; the plaintext is returned once. A DENIED
    partner's users get no new credentials (P1; revoking one stays allowed)."""
    name = name.strip()
    if not name:
        raise DomainError.single("REQUIRED", "Give the token a name, e.g. the integration using it.", "name")
    if len(name) > TOKEN_NAME_MAX:
        raise DomainError.single("TOO_LONG", f"A token name has at most {TOKEN_NAME_MAX} characters.", "name")
    async with transaction():
        await refuse_if_partner_denied(principal)
        return await issue_token(principal.user_id, name=name)


async def revoke_token_by_id(principal: Principal, token_id: int) -> ApiToken:
    """Revoke one of the caller's tokens (admins: anyone's). Revoking twice is a no-op."""
    condition = ApiToken.id == token_id
    if not principal.is_admin:
        condition &= ApiToken.user == principal.user_id
    token = await ApiToken.objects().where(condition).first()
    if token is None:
        raise NotFound.of("ApiToken", "id")
    if token.revoked_at is None:
        token.revoked_at = now()
        await token.save([ApiToken.revoked_at])
        after_commit(forget_cached_principals)
    return token


# --- single sign-on (server/sso.py): who a verified identity provider's token belongs to ----

_PRINCIPAL_COLUMNS = (User.id, User.email, User.name, User.role, User.partner, User.regions)


async def principal_by_email(email: str) -> Principal | None:
    """The active user with this email (case-insensitive), or None: never a guess."""
    row = await User.select(*_PRINCIPAL_COLUMNS).where(
        (User.email == email.strip().lower()) & (User.active == True)  # noqa: E712
    ).first()
    return _principal_from_row(row) if row else None


async def principal_by_subject(issuer: str, subject: str) -> Principal | None:
    """The active user linked to this identity provider's subject, or None."""
    row = await User.select(*_PRINCIPAL_COLUMNS).where(
        (User.sso_issuer == issuer) & (User.sso_subject == subject) & (User.active == True)  # noqa: E712
    ).first()
    return _principal_from_row(row) if row else None


async def link_subject(email: str, issuer: str, subject: str) -> User:
    """Link a user to an identity provider's (issuer, subject); one subject is one user."""
    user = await user_by_email(email)
    issuer, subject = issuer.strip(), subject.strip()
    if not issuer or not subject:
        raise DomainError.single("REQUIRED", "Give the issuer and the subject.", "subject")
    taken = await User.exists().where(
        (User.sso_issuer == issuer) & (User.sso_subject == subject) & (User.id != user.id))
    if taken:
        raise DomainError.single("SUBJECT_TAKEN", "This subject is linked to another user.", "subject")
    await User.update({User.sso_issuer: issuer, User.sso_subject: subject}).where(User.id == user.id)
    return user


def partner_api_id(partner_id: int) -> str:
    """The partner's id as the API shows it (`viewer { partner { id } }`): the Relay global
    id, base64 of "Partner:<number>"."""
    return base64.b64encode(f"Partner:{partner_id}".encode()).decode()


async def partner_matches(partner_id: int, claimed: object) -> bool:
    """Whether a token's partner claim names this partner: by its id as the API shows it
    (issue 33; base64 is case-sensitive, its `=` padding optional), by its nickname (any
    case) or, for compatibility, by its internal number (a string or a JSON integer)."""
    if isinstance(claimed, bool) or not isinstance(claimed, (str, int)):
        return False
    if isinstance(claimed, int):
        return claimed == partner_id
    value = claimed.strip()
    if not value:
        return False
    if value.rstrip("=") == partner_api_id(partner_id).rstrip("=") or value == str(partner_id):
        return True
    row = await Partner.select(Partner.nickname).where(Partner.id == partner_id).first()
    return row is not None and value.lower() == row["nickname"].lower()
