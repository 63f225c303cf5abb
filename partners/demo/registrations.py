"""Deal registrations in several states (registrations domain)."""

from __future__ import annotations

from partners.accounts.tables import Account
from partners.demo.people import USER_COLUMNS, as_principal
from partners.demo.money import local
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
    created = []
    for customer, partner, products, outcome in plan:
        who = portal[partner % len(portal)]
        # D5: most register in the customer's currency; the second partner in its own, euros.
        currency = "EUR" if partner == 1 else customers[customer]["currency"]
        estimate = GivenAmount.of_money(local(8700 * (partner + 1), currency), currency, "estimatedAmountMoney")
        row = await register(who, Registration(
            registration_type=DealRegistrationType.RESALE, products=products, edition="Premium", seats=25 * (partner + 1),
            estimated_amount=estimate, currency=currency, notes="Registered from the demo portal.",
            prospect=Prospect(name=customers[customer]["name"])))
        created.append((row["id"], who, outcome))
    for reg_id, who, outcome in created:
        # "hold": approving the first registration of the same customer and product put it ON_HOLD (P5).
        if outcome in ("sales", "manager", "approve"):
            await advance_review(admin, reg_id)
        if outcome in ("manager", "approve"):
            await advance_review(admin, reg_id)
        if outcome == "approve":
            await approve(admin, rules, reg_id, ae["id"], "Kickoff with the AE next week (D3).")
        elif outcome == "return":
            await return_to_partner(admin, reg_id, "Which business unit is buying?")
        elif outcome == "deny":
            await deny(admin, reg_id, "The customer is already in a direct deal.")
        elif outcome == "withdraw":
            await withdraw(who, reg_id, "The customer postponed the project.")

