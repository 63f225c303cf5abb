"""Case tables (D9). Rules live in partners.cases.service."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from partners.cases.enums import CaseStatus
from partners.opportunities.tables import Opportunity
from partners.people.tables import Partner, User


class PartnerCase(Table, tablename="partner_case"):
    """A "Partner Opp" case from a partner organisation in the SMB queue (D9)."""

    partner = ForeignKey(references=Partner, on_delete=OnDelete.restrict, index=True)
    opened_by = ForeignKey(references=User, on_delete=OnDelete.restrict)
    subject = Varchar(length=300)  # always starts with "Partner Opp" (D9)
    # What it concerns: one of the partner's opportunities (R9), or the account by name
    # (partner users cannot read accounts).
    opportunity = ForeignKey(references=Opportunity, null=True, on_delete=OnDelete.restrict, index=True)
    account_name = Varchar(length=255, default="")
    description = Text(default="")
    status = Varchar(length=16, choices=CaseStatus, default=CaseStatus.OPEN, index=True)
    advocate = ForeignKey(references=User, null=True, on_delete=OnDelete.restrict, index=True)
    opened_at = Timestamptz()
    pickup_due_at = Timestamptz(index=True)  # D9: opened + 24 hours
    close_due_at = Timestamptz(index=True)  # D9: opened + 15 days
    picked_up_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    resolution = Text(default="")
    version = Integer(default=1)


class CaseComment(Table, tablename="case_comment"):
    """A comment on a case; internal ones are for the vendor's staff only (D9)."""

    case = ForeignKey(references=PartnerCase, on_delete=OnDelete.cascade, index=True)
    author = ForeignKey(references=User, on_delete=OnDelete.restrict)
    body = Text()
    internal = Boolean(default=False)
    created_at = Timestamptz()
