"""Lead tables (P11). Rules live in partners.leads.rules and partners.leads.service."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from partners.accounts.tables import Account
from partners.leads.enums import ExtensionStatus, LeadAction, LeadDeadline, LeadPriority, LeadRecallReason, LeadStatus
from partners.money.columns import ExactDecimal
from partners.opportunities.tables import Opportunity
from partners.people.enums import Region
from partners.people.tables import Partner, User
from partners.registrations.tables import DealRegistration


class Lead(Table, tablename="lead"):
    """A lead and its current share: `partner` is set while it is shared with one (P11)."""

    company = Varchar(length=255, index=True)
    contact_name = Varchar(length=200, default="")
    contact_email = Varchar(length=254, default="")
    region = Varchar(length=8, choices=Region, index=True)
    country = Varchar(length=2, default="US")
    product_interest = Varchar(length=200, default="")
    notes = Text(default="")
    # Where the lead came from: "web form", "event", a plugin's name …
    source = Varchar(length=100, default="")
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.restrict)  # null: a plugin
    status = Varchar(length=16, choices=LeadStatus, default=LeadStatus.NEW, index=True)
    partner = ForeignKey(references=Partner, null=True, on_delete=OnDelete.restrict, index=True)
    # How many times it was shared: names the current share (reminder dedupe keys).
    share_count = Integer(default=0)
    shared_by = ForeignKey(references=User, null=True, on_delete=OnDelete.restrict)
    shared_at = Timestamptz(null=True, default=None)
    accept_due_at = Timestamptz(null=True, default=None, index=True)  # P11: 5 business days
    action_due_at = Timestamptz(null=True, default=None, index=True)  # P11: 10 business days
    # Reminders one business day before each deadline (partners.leads.deadlines).
    accept_remind_at = Timestamptz(null=True, default=None)
    action_remind_at = Timestamptz(null=True, default=None)
    accept_reminded = Integer(default=0)  # the share_count reminded for, 0 = none
    action_reminded = Integer(default=0)
    accepted_at = Timestamptz(null=True, default=None)
    action = Varchar(length=16, choices=LeadAction, null=True, default=None)
    acted_at = Timestamptz(null=True, default=None)
    # The latest rejection, disqualification or recall reason.
    reason = Text(default="")
    recall_reason = Varchar(length=16, choices=LeadRecallReason, null=True, default=None)
    recall_count = Integer(default=0)
    # What the lead became (accepting or converting links it).
    deal_registration = ForeignKey(references=DealRegistration, null=True, on_delete=OnDelete.set_null)
    opportunity = ForeignKey(references=Opportunity, null=True, on_delete=OnDelete.set_null)
    version = Integer(default=1)
    created_at = Timestamptz()
    leased_until = Timestamptz(null=True, default=None)
    lease_owner = Varchar(length=120, null=True, default=None)
    # Issue 34. The end customer's account (staff only; partner users read its name).
    account = ForeignKey(references=Account, null=True, on_delete=OnDelete.set_null, index=True)
    deal_size = ExactDecimal(null=True, default=None, digits=None)  # in deal_size_currency
    deal_size_currency = Varchar(length=3, null=True, default=None)
    priority = Varchar(length=8, choices=LeadPriority, default=LeadPriority.NORMAL, index=True)
    # The named person at the partner holding it (a user of that partner); goes with the share.
    partner_contact = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    archived_at = Timestamptz(null=True, default=None, index=True)
    archived_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    # The company name normalised for the duplicate check (partners.leads.duplicates).
    company_key = Varchar(length=255, default="", index=True)
    # A request for more time is waiting for a decision: the recall job leaves the lead alone.
    extension_pending = Boolean(default=False)


class LeadEvent(Table, tablename="lead_event"):
    """Every change of a lead: CREATED, SHARED, ACCEPTED, REJECTED, an action, RECALLED."""

    lead = ForeignKey(references=Lead, on_delete=OnDelete.cascade, index=True)
    event = Varchar(length=32)
    # The partner the lead was shared with at that moment (partner users read only theirs).
    partner = ForeignKey(references=Partner, null=True, on_delete=OnDelete.restrict, index=True)
    actor = ForeignKey(references=User, null=True, on_delete=OnDelete.restrict)  # null: the system
    note = Text(default="")
    occurred_at = Timestamptz()
    # What the lead was linked to at this change: the links an answer or an action made, or
    # those a rejection or recall cleared (the lead itself no longer carries a former
    # partner's links; its history keeps them for staff).
    deal_registration = ForeignKey(references=DealRegistration, null=True, on_delete=OnDelete.set_null)
    opportunity = ForeignKey(references=Opportunity, null=True, on_delete=OnDelete.set_null)


class LeadExtension(Table, tablename="lead_extension"):
    """A partner's request for more time on one P11 deadline of its share, and its decision."""

    lead = ForeignKey(references=Lead, on_delete=OnDelete.cascade, index=True)
    share_count = Integer(default=0)  # the share it belongs to
    partner = ForeignKey(references=Partner, on_delete=OnDelete.restrict, index=True)
    deadline = Varchar(length=8, choices=LeadDeadline)
    days = Integer(default=1)  # business days asked for
    reason = Text(default="")
    requested_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    requested_at = Timestamptz()
    due_at = Timestamptz()  # the deadline when asked
    status = Varchar(length=8, choices=ExtensionStatus, default=ExtensionStatus.PENDING, index=True)
    decided_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    decided_at = Timestamptz(null=True, default=None)
    granted_days = Integer(null=True, default=None)
    new_due_at = Timestamptz(null=True, default=None)
    note = Text(default="")  # the decision's note
