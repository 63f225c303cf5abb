"""Piccolo tables. Rules live in the aggregate modules, not here."""

from __future__ import annotations

from piccolo.columns import (
    Array,
    BigInt,
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from partners.enums import (
    AccountType,
    AddressSource,
    ContactRole,
    LossReason,
    OpportunityPartnerRole,
    OpportunityStage,
    OpportunityType,
    PartnerStatus,
    PartnerTrack,
    PartnerType,
    Ranking,
    Region,
    Role,
    SalesQualifiedSource,
    ScreeningStatus,
    Segment,
)


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


class Account(Table, tablename="account"):
    """A company: an end customer, a prospect, or a channel-type account (A5)."""

    name = Varchar(length=255, index=True)
    website = Varchar(length=255, default="")
    account_type = Varchar(length=32, choices=AccountType, default=AccountType.PROSPECT)
    parent = ForeignKey(references="self", null=True, on_delete=OnDelete.restrict)
    # The global account at the top of the hierarchy (itself for a root); kept by partners.accounts.
    ultimate_parent = ForeignKey(references="self", null=True, on_delete=OnDelete.restrict, index=True)
    region = Varchar(length=8, choices=Region, default=Region.AMER)
    country = Varchar(length=2, default="US")
    owner = ForeignKey(references=User, null=True, on_delete=OnDelete.restrict)
    # A3: employee counts by source; the admin override is a user's review request once applied.
    employees_datafox = Integer(null=True, default=None)
    employees_zoominfo = Integer(null=True, default=None)
    employees_override = Integer(null=True, default=None)
    employees_review_count = Integer(null=True, default=None)
    employees_review_url = Varchar(length=500, default="")
    # A1 + A2, stored for filtering; null while no member of the hierarchy has a count.
    segment = Varchar(length=16, choices=Segment, null=True, default=None, index=True)
    ranking = Varchar(length=4, choices=Ranking, null=True, default=None)  # A9
    ranking_note = Text(default="")
    carr = DoublePrecision(default=0.0)
    potential_users = Integer(null=True, default=None)  # LAM (A8, A9)
    first_order_available = Boolean(default=False)  # A8
    screening_status = Varchar(length=16, choices=ScreeningStatus, default=ScreeningStatus.PENDING)  # A6
    # Set when this account is a partner organisation's own (channel-type) account (A5): its
    # contacts are that partner's people, and no opportunity belongs to it (R1, R4).
    partner = ForeignKey(references=Partner, null=True, on_delete=OnDelete.restrict, index=True)
    created_at = Timestamptz()


class AccountAddress(Table, tablename="account_address"):
    """One address candidate of an account per source (A4 picks the territory address)."""

    account = ForeignKey(references=Account, on_delete=OnDelete.cascade, index=True)
    source = Varchar(length=16, choices=AddressSource)
    street = Varchar(length=255, default="")
    city = Varchar(length=100, default="")
    state = Varchar(length=100, default="")
    postal_code = Varchar(length=20, default="")
    country = Varchar(length=2, default="")


class AccountOwnershipTransfer(Table, tablename="account_ownership_transfer"):
    """A10: who handed an account to whom, and how many open opportunities stayed behind."""

    account = ForeignKey(references=Account, on_delete=OnDelete.cascade, index=True)
    from_owner = ForeignKey(references=User, null=True, on_delete=OnDelete.restrict)
    to_owner = ForeignKey(references=User, on_delete=OnDelete.restrict)
    transferred_by = ForeignKey(references=User, on_delete=OnDelete.restrict)
    opportunities_held_over = Integer(default=0)
    opportunities_moved = Integer(default=0)
    created_at = Timestamptz()


class Contact(Table, tablename="contact"):
    account = ForeignKey(references=Account, on_delete=OnDelete.cascade, index=True)
    name = Varchar(length=200)
    email = Varchar(length=254, default="")
    title = Varchar(length=200, default="")
    created_at = Timestamptz()


class Opportunity(Table, tablename="opportunity"):
    """A deal on an end customer's account (R1). Stage moves only through partners.opportunities."""

    account = ForeignKey(references=Account, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=255, index=True)
    opportunity_type = Varchar(length=32, choices=OpportunityType, default=OpportunityType.NEW_BUSINESS)
    parent = ForeignKey(references="self", null=True, on_delete=OnDelete.restrict)  # O8
    stage = Varchar(length=32, choices=OpportunityStage, default=OpportunityStage.PENDING_ACCEPTANCE, index=True)
    amount = DoublePrecision(null=True, default=None)
    net_arr = DoublePrecision(null=True, default=None)
    close_date = Date(null=True, default=None)
    owner = ForeignKey(references=User, on_delete=OnDelete.restrict, index=True)
    sdr = ForeignKey(references=User, null=True, on_delete=OnDelete.restrict)
    sales_qualified_source = Varchar(length=32, choices=SalesQualifiedSource, default=SalesQualifiedSource.OTHER)
    sales_accepted_at = Timestamptz(null=True, default=None)  # O3
    sales_qualified = Boolean(default=False)  # O4
    sales_qualified_at = Timestamptz(null=True, default=None)
    initial_iacv = DoublePrecision(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)  # O7 reopening window
    loss_reason = Varchar(length=32, choices=LossReason, null=True, default=None)
    competitor = Varchar(length=200, default="")
    merged_into = ForeignKey(references="self", null=True, on_delete=OnDelete.restrict)  # O7
    duplicate_of = ForeignKey(references="self", null=True, on_delete=OnDelete.restrict)  # O6
    # A10: the owner keeps this open opportunity after an account transfer until then.
    owner_holdover_until = Timestamptz(null=True, default=None)
    # Why the primary partner (OpportunityPartner.is_primary) is primary (R8), from cosell_primary_partner.
    primary_reason = Varchar(length=200, default="")
    # Optimistic concurrency (issue 10): +1 per write that changes the opportunity, its
    # team or its contacts (partners.versions); clients send it back as expectedVersion.
    version = Integer(default=1)
    created_at = Timestamptz()


class OpportunityContact(Table, tablename="opportunity_contact"):
    opportunity = ForeignKey(references=Opportunity, on_delete=OnDelete.cascade, index=True)
    contact = ForeignKey(references=Contact, on_delete=OnDelete.cascade)
    role = Varchar(length=32, choices=ContactRole, default=ContactRole.OTHER)
    is_primary = Boolean(default=False)


class OpportunityStageChange(Table, tablename="opportunity_stage_change"):
    """The stage history of an opportunity (O1–O7), one row per move."""

    opportunity = ForeignKey(references=Opportunity, on_delete=OnDelete.cascade, index=True)
    from_stage = Varchar(length=32, choices=OpportunityStage, null=True, default=None)
    to_stage = Varchar(length=32, choices=OpportunityStage)
    changed_by = ForeignKey(references=User, null=True, on_delete=OnDelete.restrict)
    note = Varchar(length=500, default="")
    changed_at = Timestamptz()


class OpportunityPartner(Table, tablename="opportunity_partner"):
    """A partner on an opportunity's team (R5), once per opportunity; written only by
    partners.opportunity_team (R6–R8 through the plugins)."""

    opportunity = ForeignKey(references=Opportunity, on_delete=OnDelete.cascade, index=True)
    partner = ForeignKey(references=Partner, on_delete=OnDelete.restrict, index=True)
    role = Varchar(length=32, choices=OpportunityPartnerRole)
    is_primary = Boolean(default=False)
    # Who made this partner primary explicitly (setPrimaryPartner, isPrimary); "" = not chosen.
    primary_chosen_by = Varchar(length=254, default="")
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


# Co-sell plans (D3, D4, D8). Imported here, like the outbox above, so that parallel
# additions to the top of this file do not collide.
from partners.enums import CoSellMotion, CoSellTaskSide, CoSellTaskStatus  # noqa: E402


class CoSellPlan(Table, tablename="cosell_plan"):
    """D3: "who will do what, when", written with one partner of the opportunity's team at
    the kickoff. One plan per (opportunity, partner): a unique index in the migration."""

    opportunity = ForeignKey(references=Opportunity, on_delete=OnDelete.cascade, index=True)
    partner = ForeignKey(references=Partner, on_delete=OnDelete.restrict, index=True)
    # Issue 5 (deal registrations) adds the approved registration the plan comes from.
    kickoff_date = Date()
    goals = Text(default="")
    motion = Varchar(length=32, choices=CoSellMotion)  # D8
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz()


class CoSellTask(Table, tablename="cosell_task"):
    """D3: one task of a plan, owned by the vendor or the partner side, with an assignee, a
    due date and a status. D4: assigning it to a partner user enqueues a confirmation."""

    plan = ForeignKey(references=CoSellPlan, on_delete=OnDelete.cascade, index=True)
    title = Varchar(length=200)
    owner_side = Varchar(length=16, choices=CoSellTaskSide)
    assignee = ForeignKey(references=User, on_delete=OnDelete.restrict, index=True)
    due_date = Date(index=True)
    status = Varchar(length=16, choices=CoSellTaskStatus, default=CoSellTaskStatus.OPEN)
    notes = Text(default="")
    # D4: bumped whenever the partner assignee is asked to confirm again (new assignee or
    # new due date); part of the confirmation's outbox dedupe key.
    confirmation_no = Integer(default=0)
    completed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


# Deal registrations (issue 5: D1, D2, P1–P6, P9). Rules live in partners.deal_registrations.
from partners.enums import DealRegistrationStatus, DealRegistrationType  # noqa: E402


class DealRegistration(Table, tablename="deal_registration"):
    """A partner's registration of one deal (P3) for an end customer's account (R1).

    The database guarantees P5 and P9 with partial unique indexes (see the migration):
    one APPROVED partner-sourced registration per opportunity, one live SERVICES_ATTACH
    registration per opportunity."""

    partner = ForeignKey(references=Partner, on_delete=OnDelete.restrict, index=True)
    registered_by = ForeignKey(references=User, on_delete=OnDelete.restrict)
    registration_type = Varchar(length=32, choices=DealRegistrationType)
    status = Varchar(length=32, choices=DealRegistrationStatus, default=DealRegistrationStatus.SUBMITTED, index=True)
    account = ForeignKey(references=Account, on_delete=OnDelete.restrict, index=True)
    # True when prospect details matched an existing account by website domain or name.
    customer_matched = Boolean(default=False)
    # The end customer's region when registered: who reviews it (D1) and the region filter.
    region = Varchar(length=8, choices=Region, index=True)
    opportunity = ForeignKey(references=Opportunity, null=True, on_delete=OnDelete.restrict, index=True)
    edition = Varchar(length=60, default="")
    seats = Integer(default=0)
    estimated_amount = DoublePrecision(null=True, default=None)
    expected_close_date = Date(null=True, default=None)
    notes = Text(default="")
    submitted_at = Timestamptz()  # first submission: the order of P5 reconsideration
    last_submitted_at = Timestamptz()  # the P4 clocks restart on resubmission
    review_due_at = Timestamptz(null=True, default=None, index=True)  # P4 target of the current step
    decision_due_at = Timestamptz(null=True, default=None)  # P4: decision within 1 business day
    assigned_ae = ForeignKey(references=User, null=True, on_delete=OnDelete.restrict)
    decided_by = ForeignKey(references=User, null=True, on_delete=OnDelete.restrict)
    decided_at = Timestamptz(null=True, default=None)
    approved_at = Timestamptz(null=True, default=None)
    expires_at = Timestamptz(null=True, default=None, index=True)  # P6
    extension_count = Integer(default=0)
    reason = Text(default="")  # the latest return, denial or dissolution reason
    held_by = ForeignKey(references="self", null=True, on_delete=OnDelete.set_null)  # P5 hold
    # Optimistic concurrency (issue 10): +1 per write, status changes included (partners.versions).
    version = Integer(default=1)
    created_at = Timestamptz()
    # P4 review-due reminders (partners.review_reminders): the target a reminder was sent
    # for, and the lease of the instance sending it (partners.leasing).
    reminded_due_at = Timestamptz(null=True, default=None)
    leased_until = Timestamptz(null=True, default=None)
    lease_owner = Varchar(length=120, null=True, default=None)
    # Issue 16: the end customer as the partner typed it (shown to partner users, R9), and
    # the date a RETURNED registration is closed by unless resubmitted (P4).
    prospect_name = Varchar(length=255, default="")
    prospect_region = Varchar(length=8, null=True, default=None)
    reply_due_at = Timestamptz(null=True, default=None, index=True)


class DealRegistrationProduct(Table, tablename="deal_registration_product"):
    """The products a registration covers (lower-case codes): overlapping products of the
    same end customer make a conflict (D2)."""

    registration = ForeignKey(references=DealRegistration, on_delete=OnDelete.cascade, index=True)
    product = Varchar(length=60, index=True)


class DealRegistrationChange(Table, tablename="deal_registration_change"):
    """Every transition of a registration: who, when, from and to (P4)."""

    registration = ForeignKey(references=DealRegistration, on_delete=OnDelete.cascade, index=True)
    event = Varchar(length=32)
    from_status = Varchar(length=32, null=True, default=None)
    to_status = Varchar(length=32)
    changed_by = ForeignKey(references=User, null=True, on_delete=OnDelete.restrict)  # null: the system
    note = Text(default="")
    changed_at = Timestamptz()


# The locator's in-process index (plugins/builtin/locator_directory.py) follows the directory
# through these two tables, written only by database triggers (see their migration): every
# change to a partner's listed fields or served lists bumps `version` and logs the partner.


class DirectoryVersion(Table, tablename="directory_version"):
    """One row (id 1): the directory's change counter; a new `generation` means start over."""

    version = BigInt(default=0)
    generation = DoublePrecision(default=0.0)


class DirectoryChange(Table, tablename="directory_change"):
    """Partner `partner` changed at `version` (the last 10,000 changes are kept)."""

    version = BigInt(default=0, index=True)
    partner = Integer(default=0)


# Partner discounts (issue 7: D5, D6, P7–P10). Rules live in partners.discounts and
# partners.discount_policy. A policy is a version with an effective date range
# [effective_from, effective_to) (null = open-ended); versions never overlap and a change
# closes the current version and adds a new one, so a quote dated D always finds the
# policy that was in effect on D.


class DiscountPolicy(Table, tablename="discount_policy"):
    effective_from = Date(index=True)
    effective_to = Date(null=True, default=None)  # exclusive; null = until replaced
    co_sell_rate = DoublePrecision(default=0.0)  # D5, P7 (percent)
    services_attach_rate = DoublePrecision(default=2.5)  # P9: per engagement, % of the linked deal's net ARR
    services_attach_max_engagements = Integer(default=3)  # P9: stackable up to 3 …
    services_attach_window_months = Integer(default=12)  # P9: … in 12 months
    distributor_margin_rate = DoublePrecision(default=0.0)  # P10 (percent of the list amount)
    poc_min_months = Integer(default=12)  # D6
    poc_min_users = Integer(default=5)  # D6
    poc_max_users = Integer(default=20)  # D6
    notes = Text(default="")
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz()


class DiscountProgramRate(Table, tablename="discount_program_rate"):
    """D5: the program discount of a partner track for a registration type (percent)."""

    policy = ForeignKey(references=DiscountPolicy, on_delete=OnDelete.cascade, index=True)
    track = Varchar(length=32, choices=PartnerTrack)
    registration_type = Varchar(length=32, choices=DealRegistrationType)
    rate = DoublePrecision()


class DiscountPocRate(Table, tablename="discount_poc_rate"):
    """D6: the Paid POC matrix: a customer discount by number of users (inclusive band)."""

    policy = ForeignKey(references=DiscountPolicy, on_delete=OnDelete.cascade, index=True)
    min_users = Integer()
    max_users = Integer()
    rate = DoublePrecision()


class DiscountApproval(Table, tablename="discount_approval"):
    """P8: a channel manager's (or admin's) approval to reduce a partner's discount on one
    opportunity to `rate`; a quote asking for that reduced rate names it."""

    opportunity = ForeignKey(references=Opportunity, on_delete=OnDelete.cascade, index=True)
    partner = ForeignKey(references=Partner, on_delete=OnDelete.restrict, index=True)
    rate = DoublePrecision()
    reason = Text(default="")
    approved_by = ForeignKey(references=User, on_delete=OnDelete.restrict)
    approved_at = Timestamptz()


from partners.enums import HoldoverExtensionStatus  # noqa: E402


class HoldoverExtension(Table, tablename="holdover_extension"):
    """A10: the owner of a held-over opportunity asks, by day 120, to keep it past day 180,
    with evidence of close within 90 days; ADMIN or SALES_OPS approve or refuse."""

    opportunity = ForeignKey(references=Opportunity, on_delete=OnDelete.cascade, index=True)
    requested_by = ForeignKey(references=User, on_delete=OnDelete.restrict)
    expected_close_date = Date()
    note = Text()
    status = Varchar(length=16, choices=HoldoverExtensionStatus, default=HoldoverExtensionStatus.PENDING)
    decided_by = ForeignKey(references=User, null=True, on_delete=OnDelete.restrict)
    decided_at = Timestamptz(null=True, default=None)
    decision_note = Text(default="")
    # Set on approval: the opportunity's new owner_holdover_until.
    extended_until = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
