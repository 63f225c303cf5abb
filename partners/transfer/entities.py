"""The entities of the native format, in the order an import reads them (references point
backwards: users name partners, accounts name users and partners …)."""

from __future__ import annotations

from partners.accounts.tables import Account, Contact
from partners.cases.tables import PartnerCase
from partners.leads.tables import Lead
from partners.opportunities.tables import Opportunity
from partners.people.tables import Partner, User
from partners.plans.tables import CoSellPlan, CoSellTask
from partners.registrations.tables import DealRegistration
from partners.transfer.formats import Entity, Field, columns

PARTNER_LISTS = ("regions_served", "countries_served", "specializations", "certifications", "languages")

PARTNERS = Entity("partners", Partner, (
    *columns(Partner, "name", "nickname", "partner_type", "track", "is_psp", "status", "agreement_signed_at",
             "trained_employees", "region", "country", "city", "website", "latitude", "longitude", "published",
             "approved_registrations", "delivered_engagements", "created_at"),
    *(Field(name, "list") for name in PARTNER_LISTS),
    Field("agreements", "json"), Field("trainings", "json"),
))

USERS = Entity("users", User, columns(User, "email", "name", "role", "partner", "regions", "active", "created_at",
                                      refs={"partner": "partners"}))

ACCOUNTS = Entity("accounts", Account, (
    *columns(Account, "name", "website", "account_type", "parent", "region", "country", "owner",
             "employees_datafox", "employees_zoominfo", "employees_override", "ranking", "ranking_note", "currency",
             "carr", "potential_users", "first_order_available", "screening_status", "partner", "segment",
             "created_at",
             refs={"parent": "accounts", "owner": "users", "partner": "partners"}, deferred=("parent",),
             computed=("segment",)),
    Field("addresses", "json"),
))

CONTACTS = Entity("contacts", Contact, columns(Contact, "account", "name", "email", "title", "created_at",
                                               refs={"account": "accounts"}))

OPPORTUNITIES = Entity("opportunities", Opportunity, (
    *columns(Opportunity, "account", "name", "opportunity_type", "parent", "stage", "currency", "amount", "net_arr",
             "close_date", "owner", "sdr", "sales_qualified_source", "sales_accepted_at", "sales_qualified",
             "sales_qualified_at", "initial_iacv", "closed_at", "loss_reason", "competitor", "merged_into",
             "duplicate_of", "owner_holdover_until", "primary_reason", "created_at",
             refs={"account": "accounts", "parent": "opportunities", "owner": "users", "sdr": "users",
                   "merged_into": "opportunities", "duplicate_of": "opportunities"},
             deferred=("parent", "merged_into", "duplicate_of")),
    Field("team", "json"), Field("contacts", "json"), Field("stage_history", "json"),
))

REGISTRATIONS = Entity("registrations", DealRegistration, (
    *columns(DealRegistration, "partner", "registered_by", "registration_type", "status", "account",
             "customer_matched", "region", "opportunity", "edition", "seats", "currency", "estimated_amount",
             "expected_close_date", "notes", "submitted_at", "last_submitted_at", "review_due_at", "decision_due_at",
             "assigned_ae", "decided_by", "decided_at", "approved_at", "expires_at", "extension_count", "reason",
             "held_by", "prospect_name", "prospect_region", "reply_due_at", "created_at",
             refs={"partner": "partners", "registered_by": "users", "account": "accounts",
                   "opportunity": "opportunities", "assigned_ae": "users", "decided_by": "users",
                   "held_by": "registrations"},
             deferred=("held_by",)),
    Field("products", "list"), Field("history", "json"),
))

COSELL_PLANS = Entity("cosell_plans", CoSellPlan, columns(
    CoSellPlan, "opportunity", "partner", "kickoff_date", "goals", "motion", "created_by", "created_at",
    refs={"opportunity": "opportunities", "partner": "partners", "created_by": "users"}))

COSELL_TASKS = Entity("cosell_tasks", CoSellTask, columns(
    CoSellTask, "plan", "title", "owner_side", "assignee", "due_date", "status", "notes", "confirmation_no",
    "completed_at", "created_at", "updated_at",
    refs={"plan": "cosell_plans", "assignee": "users"}), since_column="updated_at")

# Leads (P11) and cases (D9–D15) come in as they stand (their state, deadlines and dates),
# without their event history, comments or attachments.
LEADS = Entity("leads", Lead, columns(
    Lead, "company", "contact_name", "contact_email", "region", "country", "product_interest", "notes", "source",
    "created_by", "status", "partner", "share_count", "shared_by", "shared_at", "accept_due_at", "action_due_at",
    "accepted_at", "action", "acted_at", "reason", "recall_reason", "recall_count", "deal_registration",
    "opportunity", "account", "deal_size", "deal_size_currency", "priority", "partner_contact", "archived_at",
    "created_at",
    refs={"created_by": "users", "partner": "partners", "shared_by": "users", "deal_registration": "registrations",
          "opportunity": "opportunities", "account": "accounts", "partner_contact": "users",
          "archived_by": "users"}))

CASES = Entity("cases", PartnerCase, columns(
    PartnerCase, "partner", "opened_by", "origin", "case_type", "subject", "opportunity", "account", "account_name",
    "description", "contact", "lead_name", "lead_email", "status", "advocate", "waiting_on", "opened_at",
    "pickup_due_at", "target_due_at", "close_due_at", "picked_up_at", "next_steps", "next_steps_date",
    "escalated_at", "closed_at", "resolution_action", "feedback", "resolution", "duplicate_of",
    refs={"partner": "partners", "opened_by": "users", "opportunity": "opportunities", "account": "accounts",
          "contact": "contacts", "advocate": "users", "duplicate_of": "cases"}, deferred=("duplicate_of",)),
    since_column="opened_at")

ENTITIES = (PARTNERS, USERS, ACCOUNTS, CONTACTS, OPPORTUNITIES, REGISTRATIONS, COSELL_PLANS, COSELL_TASKS, LEADS,
            CASES)
BY_NAME = {e.name: e for e in ENTITIES}
IMPORT_ORDER = tuple(e for e in ENTITIES if e.importable)
