"""Piccolo tables. Rules live in the aggregate modules, not here."""

from __future__ import annotations

from piccolo.columns import (
    Array,
    Boolean,
    DoublePrecision,
    ForeignKey,
    Integer,
    OnDelete,
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


# Outbox. Imported here rather than in the block above so that parallel additions to the
# top of this file do not collide.
from piccolo.columns import JSON, Text  # noqa: E402

from partners.enums import OutboxStatus  # noqa: E402


class OutboxMessage(Table, tablename="outbox_message"):
    """A side effect (email, plugin event …) written in the same transaction as the change
    that causes it and delivered after commit by `partners.outbox`. Leased rows
    (`leased_until`, `lease_owner`) follow `partners.leasing`."""

    # Stable public id: the email Message-ID and what receivers deduplicate on.
    uid = Varchar(length=32, unique=True)
    kind = Varchar(length=64)
    payload = JSON()
    # Enqueueing twice with the same key keeps the first message only.
    dedupe_key = Varchar(length=200, null=True, default=None, unique=True)
    status = Varchar(length=16, choices=OutboxStatus, default=OutboxStatus.PENDING)
    attempts = Integer(default=0)
    # When a PENDING message is due; NULL once settled (SENT, DEAD), so the index holds
    # only the work still to do.
    next_attempt_at = Timestamptz(null=True, default=None, index=True)
    leased_until = Timestamptz(null=True, default=None)
    lease_owner = Varchar(length=120, null=True, default=None)
    last_error = Text(default="")
    created_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None)
