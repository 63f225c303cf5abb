"""Lead tables (P11). Rules live in partners.leads.rules and partners.leads.service."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from partners.leads.enums import LeadAction, LeadRecallReason, LeadStatus
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
