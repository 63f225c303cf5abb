"""Piccolo tables. Rules live in the aggregate modules, not here."""

from __future__ import annotations

from piccolo.columns import (
    Array,
    BigInt,
    Boolean,
    DoublePrecision,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from partners.enums import AccountType, PartnerStatus, PartnerTrack, PartnerType, Region, Role


class Partner(Table, tablename="partner"):
    """A partner organisation (reseller, distributor, SI, MSP, alliance …)."""

    name = Varchar(length=200, index=True)
    # Short code that prefixes opportunity names of this reseller (R2).
    nickname = Varchar(length=40)
    partner_type = Varchar(length=32, choices=PartnerType, default=PartnerType.RESELLER)
    track = Varchar(length=32, choices=PartnerTrack, default=PartnerTrack.OPEN)
    is_psp = Boolean(default=False)
    status = Varchar(length=16, choices=PartnerStatus, default=PartnerStatus.PROSPECT)
    agreement_signed_at = Timestamptz(null=True, default=None)
    trained_employees = Integer(default=0)
    region = Varchar(length=8, choices=Region, default=Region.AMER)
    country = Varchar(length=2, default="US")
    city = Varchar(length=100, default="")
    website = Varchar(length=200, default="")
    latitude = DoublePrecision(null=True, default=None)
    longitude = DoublePrecision(null=True, default=None)
    published = Boolean(default=True)
    created_at = Timestamptz()


class User(Table, tablename="cosell_user"):
    email = Varchar(length=254, unique=True)
    name = Varchar(length=200)
    role = Varchar(length=32, choices=Role)
    # Set for PARTNER_USER only: the one partner the user belongs to.
    partner = ForeignKey(references=Partner, null=True, on_delete=OnDelete.restrict)
    # The regions a channel manager covers (their home region for other roles).
    regions = Array(base_column=Varchar(length=8), default=list)
    active = Boolean(default=True)
    created_at = Timestamptz()


class ApiToken(Table, tablename="api_token"):
    """A bearer token; only its SHA-256 is stored, the token is shown once."""

    user = ForeignKey(references=User, on_delete=OnDelete.cascade)
    name = Varchar(length=100, default="")
    prefix = Varchar(length=16, index=True)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)


class Account(Table, tablename="account"):
    """A company: an end customer, a prospect, or a channel-type account (A5)."""

    name = Varchar(length=255, index=True)
    website = Varchar(length=255, default="")
    account_type = Varchar(length=32, choices=AccountType, default=AccountType.PROSPECT)
    parent = ForeignKey(references="self", null=True, on_delete=OnDelete.restrict)
    region = Varchar(length=8, choices=Region, default=Region.AMER)
    country = Varchar(length=2, default="US")
    created_at = Timestamptz()


class AuditEntry(Table, tablename="audit_log"):
    """One executed (or refused) mutation. Append-only: no code path updates or deletes."""

    occurred_at = Timestamptz()
    # No foreign key: the log outlives the users it mentions.
    actor_user_id = Integer(null=True, default=None, index=True)
    actor = Varchar(length=254, default="")
    actor_role = Varchar(length=32, default="")
    mutation = Varchar(length=100, index=True)
    input_summary = Text(default="")
    # OK, USER_ERROR (payload errors), REFUSED (authorization, limits), INTERNAL_ERROR.
    result = Varchar(length=16)
    error_codes = Varchar(length=500, default="")
    request_id = Varchar(length=64, default="")


class IdempotencyKey(Table, tablename="idempotency_key"):
    """A mutation request's Idempotency-Key and the response it produced."""

    # principal + ":" + sha256(key): one unique column is the "unique (principal, key)".
    scope_key = Varchar(length=120, unique=True)
    request_hash = Varchar(length=64)
    # IN_PROGRESS while the first request runs, then DONE with the stored response.
    status = Varchar(length=16)
    response_status = Integer(default=0)
    response_body = Text(default="")
    # Unix seconds: compared in SQL the same way on both engines.
    locked_until = BigInt()
    expires_at = BigInt(index=True)


class CostBudget(Table, tablename="cost_budget"):
    """Query cost spent per principal per one-minute window (shared by all instances)."""

    # principal + ":" + window start.
    bucket = Varchar(length=120, unique=True)
    principal = Varchar(length=64, index=True)
    window_start = BigInt()
    used = Integer(default=0)
