"""Tables of the partner program (registered in partners/infra/piccolo_app.py)."""

from __future__ import annotations

from piccolo.columns import Date, ForeignKey, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from partners.people.tables import Partner, User


class PartnerAgreement(Table, tablename="partner_agreement"):
    """P2: a signed partner agreement; one signed and not ended counts (the latest is shown)."""

    partner = ForeignKey(references=Partner, on_delete=OnDelete.cascade, index=True)
    version = Varchar(length=40)
    signed_on = Date()
    signer_name = Varchar(length=200)
    signer_email = Varchar(length=254, default="")
    recorded_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    recorded_at = Timestamptz()
    # Ended (issue 34): it counts up to the day before `ended_on`; who ended it is in the audit log.
    ended_on = Date(null=True, default=None)
    end_reason = Text(default="")
    ended_at = Timestamptz(null=True, default=None)


class PartnerTraining(Table, tablename="partner_training"):
    """P2: one person of a partner completed one course (people are told apart by email)."""

    partner = ForeignKey(references=Partner, on_delete=OnDelete.cascade, index=True)
    person_name = Varchar(length=200)
    person_email = Varchar(length=254)
    course = Varchar(length=40)
    completed_on = Date()
    expires_on = Date(null=True, default=None)
    recorded_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    recorded_at = Timestamptz()


class PartnerChange(Table, tablename="partner_change"):
    """P1 history: status, track and PSP designation changes, with who and why."""

    partner = ForeignKey(references=Partner, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=16)  # STATUS, TRACK, PSP
    from_value = Varchar(length=32, default="")
    to_value = Varchar(length=32)
    reason = Text(default="")
    changed_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    changed_at = Timestamptz()


class UserInvitation(Table, tablename="user_invitation"):
    """A one-time claim of an invited (inactive) user; only the token's SHA-256 is kept."""

    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    # Random, never reused: names the invitation's email in the outbox (dedupe key). The id
    # cannot: a withdrawn invitation's row is deleted and SQLite gives its id to the next.
    uid = Varchar(length=32, null=True, default=None)
    token_hash = Varchar(length=64, unique=True)
    invited_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    claimed_at = Timestamptz(null=True, default=None)
    # Issue 34: a withdrawn invitation (its user deactivated before claiming) and one replaced
    # by a newer invitation to the same user are kept, dead, rather than deleted.
    withdrawn_at = Timestamptz(null=True, default=None)
    superseded_at = Timestamptz(null=True, default=None)
