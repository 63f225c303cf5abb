"""Tables of co-sell plans and their tasks (D3)."""

from __future__ import annotations

from piccolo.columns import Date, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from partners.opportunities.tables import Opportunity
from partners.people.tables import Partner, User
from partners.plans.enums import CoSellMotion, CoSellTaskSide, CoSellTaskStatus


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
