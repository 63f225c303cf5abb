"""Accounts in hierarchies across every region, then their owners, addresses, contacts and
segments (accounts domain)."""

from __future__ import annotations

import random

from partners.accounts.enums import AccountType, AddressSource, Ranking, ScreeningStatus
from partners.accounts.service import recompute_hierarchy
from partners.accounts.tables import Account, AccountAddress, Contact
from partners.demo.money import local
from partners.demo.vocabulary import COMPANY_SUFFIX, COMPANY_WORDS, FIRST_NAMES, LAST_NAMES, PLACES, TITLES
from partners.infra.clock import now
from partners.money.currencies import currency_of_country
from partners.people.enums import Region, Role
from partners.people.tables import User


async def create_accounts(rng: random.Random, parents: int) -> int:
    created = 0
    regions = list(Region)
    for i in range(parents):
        region = regions[i % len(regions)]
        country, _, _, _ = rng.choice(PLACES[region])
        if region is Region.EMEA and (i // len(regions)) % 5 == 2:
            country = "BH"  # a few customers pay in a currency of three decimals (issue 40); no draw
        base = COMPANY_WORDS[i % len(COMPANY_WORDS)]
        name = f"{base}, {rng.choice(COMPANY_SUFFIX)}" if i < len(COMPANY_WORDS) else f"{base} {i}, Inc"
        parent = Account(
            name=name,
            website=f"https://{base.lower().replace(' ', '')}{'' if i < len(COMPANY_WORDS) else i}.example",
            account_type=rng.choice([AccountType.CUSTOMER, AccountType.PROSPECT, AccountType.FORMER_CUSTOMER]).value,
            region=region.value,
            country=country,
            currency=currency_of_country(country),
            created_at=now(),
        )
        await parent.save()
        await Account.update({Account.ultimate_parent: parent.id}).where(Account.id == parent.id)
        created += 1
        for j in range(rng.randint(0, 3)):
            child_region = rng.choice(regions)
            child_country, child_city, _, _ = rng.choice(PLACES[child_region])
            child = Account(
                name=f"{base} {child_city} {child_country}",
                website=parent.website,
                account_type=parent.account_type,
                parent=parent.id,
                ultimate_parent=parent.id,
                region=child_region.value,
                country=child_country,
                currency=currency_of_country(child_country),
                created_at=now(),
            )
            await child.save()
            created += 1
    return created


async def enrich_accounts(rng: random.Random) -> None:
    """Employee counts (A3), screening (A6), rankings (A9), owners, addresses (A4) and
    contacts; then the segments of every hierarchy (A1, A2)."""
    aes = {Region(r["regions"][0]): r["id"] for r in await User.select(User.id, User.regions).where(
        User.role == Role.ACCOUNT_EXECUTIVE.value)}
    accounts = await Account.select(Account.id, Account.name, Account.region, Account.country, Account.parent,
                                    Account.currency)
    screening = [ScreeningStatus.CLEAR] * 16 + [ScreeningStatus.PENDING, ScreeningStatus.YELLOW,
                                                  ScreeningStatus.RED, ScreeningStatus.ESCALATE]
    contacts: list[Contact] = []
    addresses: list[AccountAddress] = []
    for account in accounts:
        size = rng.choice([rng.randint(5, 99), rng.randint(100, 1999), rng.randint(2000, 40000)])
        blank_datafox = rng.random() < 0.2
        ranking = rng.choice([None, *Ranking])
        await Account.update({
            Account.employees_datafox: None if blank_datafox else size,
            Account.employees_zoominfo: int(size * rng.uniform(0.8, 1.2)) if blank_datafox or rng.random() < 0.5 else None,
            Account.screening_status: rng.choice(screening).value,
            Account.owner: aes.get(Region(account["region"]), aes[Region.AMER]),
            Account.carr: local(rng.choice([0, rng.randint(1, 29) * 1000, rng.randint(30, 500) * 1000]),
                                account["currency"]),
            Account.potential_users: rng.randint(10, 800),
            Account.first_order_available: rng.random() < 0.4,
            Account.ranking: ranking.value if ranking else None,
            Account.ranking_note: "Reviewed in the quarterly account planning." if ranking else "",
        }).where(Account.id == account["id"])
        city = account["name"].split(",")[0]
        addresses.append(AccountAddress(account=account["id"], source=AddressSource.BILLING.value,
                                        street=f"{rng.randint(1, 999)} Main Street", city=city,
                                        country=account["country"]))
        if rng.random() < 0.6:
            addresses.append(AccountAddress(account=account["id"], source=AddressSource.DATAFOX.value,
                                            street=f"{rng.randint(1, 999)} Market Street", city=city,
                                            country=account["country"]))
        if account["parent"] is None:
            for _ in range(rng.randint(1, 3)):
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                domain = account["name"].split(",")[0].lower().replace(" ", "")
                contacts.append(Contact(account=account["id"], name=f"{first} {last}",
                                        email=f"{first.lower()}.{last.lower()}@{domain}.example",
                                        title=rng.choice(TITLES), created_at=now()))
    await AccountAddress.insert(*addresses)
    await Contact.insert(*contacts)
    for account in accounts:
        if account["parent"] is None:
            await recompute_hierarchy(account["id"])

