"""Tables of deal registrations, their products and their history (D1, D2)."""

from __future__ import annotations

from piccolo.columns import Boolean, Date, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from partners.accounts.tables import Account
from partners.opportunities.tables import Opportunity
from partners.money.columns import ExactDecimal
from partners.people.enums import Region
from partners.people.tables import Partner, User
from partners.registrations.enums import DealRegistrationStatus, DealRegistrationType


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
    # In `currency` (ISO 4217): the partner's, often local (D5; issue 40).
    currency = Varchar(length=3, default="USD")
    estimated_amount = ExactDecimal(null=True, default=None)
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
    # Optimistic concurrency (issue 10): +1 per write, status changes included (partners.infra.versions).
    version = Integer(default=1)
    created_at = Timestamptz()
    # The lease of the instance working on the row in a background job (partners.infra.leasing).
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
    # Issue 36 (channel metrics): P4 working seconds since the (re)submission that started the
    # clock, stored when the change happens (rules.review_durations), so medians and p90 are
    # computed in SQL. First review: the first reviewer step out of SUBMITTED; decision:
    # APPROVED or DENIED. Null on every other change.
    first_review_seconds = Integer(null=True, default=None)
    decision_seconds = Integer(null=True, default=None)
    # Issue 36 item 2: the registration's partner, region and type, copied (they never change
    # after creation) so that the metrics read a partner's review changes from one index
    # (migration 2026-12-07T21:01). Every writer fills them (records.record,
    # records.copy_registration_keys for the import and the bench world).
    partner = Integer(null=True, default=None)
    region = Varchar(length=8, null=True, default=None)
    registration_type = Varchar(length=32, null=True, default=None)
