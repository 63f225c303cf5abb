"""Case tables (D9–D14). Rules live in partners.cases.rules, writes in the service modules."""

from __future__ import annotations

from piccolo.columns import Boolean, Date, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from partners.accounts.tables import Account, Contact
from partners.cases.enums import CaseHistoryEvent, CaseOrigin, CaseStatus, CaseType, MessageDirection
from partners.opportunities.tables import Opportunity
from partners.people.tables import Partner, User


class PartnerCase(Table, tablename="partner_case"):
    """A case in the SMB queue: from a partner ("Partner Opp", D9), a vendor employee, or an
    email (D15). `advocate` is its owner once picked up (D10)."""

    partner = ForeignKey(references=Partner, null=True, on_delete=OnDelete.restrict, index=True)
    opened_by = ForeignKey(references=User, null=True, on_delete=OnDelete.restrict)  # null: from an email
    origin = Varchar(length=16, choices=CaseOrigin, default=CaseOrigin.PARTNER)
    case_type = Varchar(length=24, choices=CaseType, default=CaseType.GENERAL, index=True)
    subject = Varchar(length=300)  # a partner's starts with "Partner Opp" (D9)
    # What it concerns: one of the partner's opportunities (R9, D13), the account (staff), or
    # the account by name (partner users cannot read accounts).
    opportunity = ForeignKey(references=Opportunity, null=True, on_delete=OnDelete.restrict, index=True)
    account = ForeignKey(references=Account, null=True, on_delete=OnDelete.restrict, index=True)
    account_name = Varchar(length=255, default="")
    description = Text(default="")  # plain text
    # D11: the main contact (one of the account's), or a lead: a person not yet a contact.
    contact = ForeignKey(references=Contact, null=True, on_delete=OnDelete.restrict)
    lead_name = Varchar(length=200, default="")
    lead_email = Varchar(length=254, default="")
    status = Varchar(length=24, choices=CaseStatus, default=CaseStatus.OPEN, index=True)
    advocate = ForeignKey(references=User, null=True, on_delete=OnDelete.restrict, index=True)
    waiting_on = Varchar(length=200, default="")  # D10: the business team it waits for
    opened_at = Timestamptz()
    pickup_due_at = Timestamptz(index=True)  # D9: opened + 24 hours
    target_due_at = Timestamptz(null=True, default=None)  # D14: opened + 7 days
    close_due_at = Timestamptz(index=True)  # D9/D14: opened + 15 days
    picked_up_at = Timestamptz(null=True, default=None)
    # D10: when the owner started trying to reach the customer (the first Next Steps).
    contact_attempts_since = Timestamptz(null=True, default=None)
    next_steps = Text(default="")  # D11: "YYYY-MM-DD INITIALS what"
    next_steps_date = Date(null=True, default=None)
    escalated_at = Timestamptz(null=True, default=None)  # "#advocate" (D15)
    closed_at = Timestamptz(null=True, default=None)
    resolution_action = Varchar(length=64, default="")  # D12: a CaseResolutionAction code
    feedback = Text(default="")  # D12: "NA" when there is none
    resolution = Text(default="")  # D9: what was done, in words
    duplicate_of = ForeignKey(references="self", null=True, on_delete=OnDelete.restrict)  # D10
    version = Integer(default=1)


class CaseComment(Table, tablename="case_comment"):
    """A comment on a case; internal ones are for the vendor's staff only (D9)."""

    case = ForeignKey(references=PartnerCase, on_delete=OnDelete.cascade, index=True)
    author = ForeignKey(references=User, on_delete=OnDelete.restrict)
    body = Text()
    internal = Boolean(default=False)
    created_at = Timestamptz()


class CaseHistory(Table, tablename="case_history"):
    """What happened to a case, by whom and why (D10's reasons for reassignment and
    reopening); vendor staff only."""

    case = ForeignKey(references=PartnerCase, on_delete=OnDelete.cascade, index=True)
    event = Varchar(length=32, choices=CaseHistoryEvent)
    actor = ForeignKey(references=User, null=True, on_delete=OnDelete.restrict)
    from_status = Varchar(length=24, default="")
    to_status = Varchar(length=24, default="")
    from_owner = ForeignKey(references=User, null=True, on_delete=OnDelete.restrict)
    to_owner = ForeignKey(references=User, null=True, on_delete=OnDelete.restrict)
    reason = Text(default="")
    at = Timestamptz()


class CaseResolutionAction(Table, tablename="case_resolution_action"):
    """D12's dictionary of resolution actions; the seed's values come with the migration
    (and stand in while the table is empty); admins add more."""

    code = Varchar(length=64, unique=True)
    label = Varchar(length=100)
    active = Boolean(default=True)
    created_at = Timestamptz()


class CustomerAdminContact(Table, tablename="customer_admin_contact"):
    """D13: the customer's admin contact on an account ("GitLab Admin" in the handbook),
    needed to close a case whose opportunity closed won."""

    account = ForeignKey(references=Account, on_delete=OnDelete.cascade, unique=True)
    contact = ForeignKey(references=Contact, on_delete=OnDelete.cascade)
    set_by = ForeignKey(references=User, null=True, on_delete=OnDelete.restrict)
    set_at = Timestamptz()


class CaseAttachment(Table, tablename="case_attachment"):
    """A file on a case (a PO, 004); the bytes are in the attachment store under `storage_key`."""

    case = ForeignKey(references=PartnerCase, on_delete=OnDelete.cascade, index=True)
    file_name = Varchar(length=200)  # sanitized
    content_type = Varchar(length=100)
    size = Integer()
    sha256 = Varchar(length=64)
    storage_key = Varchar(length=200, unique=True)
    internal = Boolean(default=False)  # vendor staff only, like internal comments
    uploaded_by = ForeignKey(references=User, null=True, on_delete=OnDelete.restrict)  # null: from an email
    uploaded_at = Timestamptz()
    message = ForeignKey(references="CaseMessage", null=True, on_delete=OnDelete.set_null, index=True)  # D15


class CaseMessage(Table, tablename="case_message"):
    """D15: one email of a case's thread, stored once (`message_id` is unique: the header's
    Message-ID, or a hash of the message when it has none or when another sender's message
    already used it). `internal`: written by vendor staff (partner users never read those)."""

    case = ForeignKey(references=PartnerCase, on_delete=OnDelete.cascade, index=True)
    message_id = Varchar(length=255, unique=True)
    direction = Varchar(length=8, choices=MessageDirection, default=MessageDirection.INBOUND)
    from_address = Varchar(length=254, default="")
    from_name = Varchar(length=200, default="")
    subject = Varchar(length=300, default="")
    text = Text(default="")  # plain text only: HTML is converted, never stored
    sent_at = Timestamptz(null=True, default=None)  # the Date header (as the sender claims)
    received_at = Timestamptz()
    in_reply_to = Varchar(length=255, default="")
    size = Integer(default=0)  # bytes of the raw message
    internal = Boolean(default=False)
    # Attachments not kept (too large, type not allowed …): JSON list of {file_name,
    # content_type, size, reason}; the kept ones are case_attachment rows naming this message.
    refused_attachments = Text(default="[]")
    problems = Text(default="")  # what the parser had to work around (malformed MIME …)
