"""Tables of the partner organisations and their people: partners, their directory profile
(D7), users and API tokens."""

from __future__ import annotations

from piccolo.columns import Array, Boolean, DoublePrecision, ForeignKey, Integer, OnDelete, Timestamptz, Varchar
from piccolo.table import Table

from partners.people.enums import PartnerStatus, PartnerTrack, PartnerType, Region, Role


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
    # Indexed: the locator's `near` search prefilters on a latitude band (D7).
    latitude = DoublePrecision(null=True, default=None, index=True)
    longitude = DoublePrecision(null=True, default=None)
    published = Boolean(default=True)
    # Directory counters shown and ranked by the locator (D7, P1); the deal-registration
    # flow will maintain them, the demo data fills them.
    approved_registrations = Integer(default=0)
    delivered_engagements = Integer(default=0)
    created_at = Timestamptz()


class User(Table, tablename="cosell_user"):
    email = Varchar(length=254, unique=True)
    name = Varchar(length=200)
    role = Varchar(length=32, choices=Role)
    # Set for partner-side users (PARTNER_USER, PARTNER_ADMIN) only: the one partner the user belongs to.
    partner = ForeignKey(references=Partner, null=True, on_delete=OnDelete.restrict)
    # The regions a channel manager covers (their home region for other roles).
    regions = Array(base_column=Varchar(length=8), default=list)
    active = Boolean(default=True)
    created_at = Timestamptz()
    # Single sign-on by subject: the identity provider's `iss` and `sub` (unique together).
    sso_issuer = Varchar(length=500, null=True, default=None)
    sso_subject = Varchar(length=255, null=True, default=None)


class ApiToken(Table, tablename="api_token"):
    """A bearer token; only its SHA-256 is stored, the token is shown once."""

    user = ForeignKey(references=User, on_delete=OnDelete.cascade)
    name = Varchar(length=100, default="")
    prefix = Varchar(length=16, index=True)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)


# The partner directory behind the locator (D7): what each partner serves and offers.
# One row per value; `value` is indexed for the locator filters, `partner` for loading a
# page's lists in one statement.


class PartnerRegionServed(Table, tablename="partner_region_served"):
    partner = ForeignKey(references=Partner, on_delete=OnDelete.cascade, index=True)
    value = Varchar(length=8, choices=Region, index=True)


class PartnerCountryServed(Table, tablename="partner_country_served"):
    """ISO 3166-1 alpha-2 codes; always includes the partner's own country."""

    partner = ForeignKey(references=Partner, on_delete=OnDelete.cascade, index=True)
    value = Varchar(length=2, index=True)


class PartnerSpecialization(Table, tablename="partner_specialization"):
    """Lower-case codes such as `kubernetes`, `devsecops`, `cloud-migration`."""

    partner = ForeignKey(references=Partner, on_delete=OnDelete.cascade, index=True)
    value = Varchar(length=60, index=True)


class PartnerCertification(Table, tablename="partner_certification"):
    """Lower-case codes such as `certified-trainer`, `professional-services-engineer`."""

    partner = ForeignKey(references=Partner, on_delete=OnDelete.cascade, index=True)
    value = Varchar(length=60, index=True)


class PartnerLanguage(Table, tablename="partner_language"):
    """ISO 639-1 codes (`en`, `de`, `ja` …) the partner works in."""

    partner = ForeignKey(references=Partner, on_delete=OnDelete.cascade, index=True)
    value = Varchar(length=2, index=True)
