"""Deal registrations in several states (registrations domain)."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from partners.accounts.tables import Account
from partners.demo.people import USER_COLUMNS, as_principal
from partners.demo.money import local
from partners.infra.clock import clock_at, now
from partners.money.given import GivenAmount
from partners.opportunities import reseller
from partners.people.enums import Role
from partners.people.tables import User
from partners.registrations.approve import approve
from partners.registrations.enums import DealRegistrationType
from partners.registrations.rules import Prospect, Registration
from partners.registrations.submit import advance_review, deny, register, return_to_partner, withdraw
from plugins.manager import get_plugin_manager


async def create_registrations() -> None:
    """Deal registrations in several states (issue 5), through the real service so every
    rule, history row and event applies: portal partners register existing customers by
    name (P3, matched to the account), the admin reviews, approves (R2, R8), denies, returns."""
    # The demo world is made under the built-in rules only (no installed plugin may refuse it).
    rules = reseller.RuleSet(get_plugin_manager(allow=()))

    admin = as_principal(await User.select(*USER_COLUMNS).where(User.role == Role.ADMIN.value).first())
    ae = await User.select(User.id).where(User.role == Role.ACCOUNT_EXECUTIVE.value).order_by(User.id).first()
    portal = [as_principal(r) for r in await User.select(*USER_COLUMNS).where(
        User.role == Role.PARTNER_USER.value).order_by(User.id)]
    # P2: the portal partners are AUTHORIZED, so they signed and have trained people
    # (program.create_program_records); registering would refuse them otherwise.
    customers = await Account.select(Account.name, Account.currency).where(
        Account.parent.is_null()).order_by(Account.id).limit(8)
    # (customer index, partner index, products, what happens)
    plan = [(0, 0, ["ci-cd"], "approve"), (0, 1, ["ci-cd", "security"], "hold"), (1, 1, ["security"], "approve"),
            (2, 2, ["observability"], "submitted"), (3, 3, ["ci-cd"], "sales"), (4, 0, ["data-ai"], "manager"),
            (5, 1, ["ci-cd"], "return"), (6, 2, ["security"], "deny"), (7, 3, ["agile-planning"], "withdraw"),
            # Issue 36: due review work in every region (customers 0–4 are AMER, EMEA, APJ, LATAM,
            # PUBSEC; 5 and 6 AMER and EMEA again), so each demo channel manager's queue has some.
            (5, 2, ["observability"], "submitted"), (6, 3, ["data-ai"], "sales")]
    review_times = _review_times()
    created = []
    for i, (customer, partner, products, outcome) in enumerate(plan):
        who = portal[partner % len(portal)]
        # D5: most register in the customer's currency; the second partner in its own, euros.
        currency = "EUR" if partner == 1 else customers[customer]["currency"]
        estimate = GivenAmount.of_money(local(8700 * (partner + 1), currency), currency, "estimatedAmountMoney")
        with clock_at(review_times[i][0] if i in review_times else now()):
            row = await register(who, Registration(
                registration_type=DealRegistrationType.RESALE, products=products, edition="Premium",
                seats=25 * (partner + 1), estimated_amount=estimate, currency=currency,
                notes="Registered from the demo portal.", prospect=Prospect(name=customers[customer]["name"])))
        created.append((row["id"], who, outcome, [t for t in review_times.get(i, ())[1:]]))
    for reg_id, who, outcome, times in created:
        # "hold": approving the first registration of the same customer and product put it ON_HOLD (P5).
        steps = []
        if outcome in ("sales", "manager", "approve"):
            steps.append(lambda r=reg_id: advance_review(admin, r))
        if outcome in ("manager", "approve"):
            steps.append(lambda r=reg_id: advance_review(admin, r))
        if outcome == "approve":
            steps.append(lambda r=reg_id: approve(admin, rules, r, ae["id"], "Kickoff with the AE next week (D3)."))
        elif outcome == "return":
            steps.append(lambda r=reg_id: return_to_partner(admin, r, "Which business unit is buying?"))
        elif outcome == "deny":
            steps.append(lambda r=reg_id: deny(admin, r, "The customer is already in a direct deal."))
        elif outcome == "withdraw":
            steps.append(lambda r=reg_id, w=who: withdraw(w, r, "The customer postponed the project."))
        for k, step in enumerate(steps):
            with clock_at(times[k] if k < len(times) else now()):
                await step()


def _review_times() -> dict[int, tuple[datetime, ...]]:
    """Issue 36: the decided registrations of the plan are submitted and reviewed during last
    week's working days (Mon–Fri 09:00–17:00 UTC), some within the P4 targets (first review
    within 2 working hours, decision within 8) and some not, so that the channel metrics'
    review times have figures. Plan index -> (submitted, each review step in order). The
    registrations still waiting for review are submitted now (the managers' queues)."""
    today = now().date()
    monday = today - timedelta(days=today.weekday() + 7)

    def at(day: int, hours: float) -> datetime:
        return datetime.combine(monday + timedelta(days=day), time(0), tzinfo=timezone.utc) + timedelta(hours=hours)

    return {
        # approve: first review 0.75 h (in time); decision Monday 09:30 → Tuesday 11:00 = 9.5 h (late)
        0: (at(0, 9.5), at(0, 10.25), at(0, 13), at(1, 11)),
        1: (at(0, 10),),  # the same customer and product: ON_HOLD when 0 is approved (P5)
        # approve: first review Tuesday 15:00 → Wednesday 09:45 = 2.75 h (late); decision 7 h (in time)
        2: (at(1, 15), at(2, 9.75), at(2, 10.5), at(2, 14)),
        6: (at(2, 16.5), at(3, 9 + 1 / 3)),  # returned after 0.83 h
        7: (at(3, 11), at(3, 12.5)),  # denied after 1.5 h: first review and decision in time
        8: (at(4, 14), at(4, 16)),  # withdrawn by the partner
    }


