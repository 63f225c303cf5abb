"""Tables of accounts and their contacts (A rules)."""

from __future__ import annotations

from decimal import Decimal

from piccolo.columns import Boolean, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from partners.accounts.enums import AccountType, AddressSource, Ranking, ScreeningStatus, Segment
from partners.money.columns import ExactDecimal
from partners.people.enums import Region
from partners.people.tables import Partner, User


class Account(Table, tablename="account"):
    """A company: an end customer, a prospect, or a channel-type account (A5)."""

    name = Varchar(length=255, index=True)
    website = Varchar(length=255, default="")
    account_type = Varchar(length=32, choices=AccountType, default=AccountType.PROSPECT)
    parent = ForeignKey(references="self", null=True, on_delete=OnDelete.restrict)
    # The global account at the top of the hierarchy (itself for a root); kept by partners.accounts.service.
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
    # The account's currency (ISO 4217, from its country when created): its cARR's, and the
    # default of its opportunities' (issue 40).
    currency = Varchar(length=3, default="USD")
    carr = ExactDecimal(default=Decimal(0))
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
