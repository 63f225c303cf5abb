"""The big input of the import benchmark (issue 35), in the native format
(docs/import-export.md): at scale 1, 100k accounts, 100k contacts, 100k opportunities and
300k deal registrations, with 1,000 partners and their users.

    python -m bench.import_generate DIR [--scale 1.0] [--seed 35]

Accounts come roots first, then their subsidiaries (20 %): each hierarchy is complete when
its children are read. Every third opportunity has an authorized reseller as primary (R2's
prefix in its name); each opportunity has three registrations: one APPROVED (P5), one
DENIED, one WITHDRAWN. Rows are written as they are made (the generator's memory is flat too).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from pathlib import Path

REGIONS = ["AMER", "EMEA", "APJ", "LATAM", "PUBSEC"]
COUNTRIES = {"AMER": "US", "EMEA": "DE", "APJ": "JP", "LATAM": "BR", "PUBSEC": "US"}
CURRENCIES = {"US": "USD", "DE": "EUR", "JP": "JPY", "BR": "BRL"}
STAGES = ["0-Pending Acceptance", "1-Discovery", "2-Scoping", "4-Proposal", "5-Negotiating"]
AT = "2026-06-01T12:00:00+00:00"


def writer(directory: Path, name: str, header: list[str]):
    handle = open(directory / f"{name}.csv", "w", newline="", encoding="utf-8")
    out = csv.writer(handle, lineterminator="\n")
    out.writerow(["external_id", *header])
    return handle, out


def generate(directory: Path, scale: float = 1.0, seed: int = 35) -> dict[str, int]:
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    n_partners = max(10, int(1000 * scale))
    n_accounts = max(50, int(100_000 * scale))
    n_opportunities = max(50, int(100_000 * scale))
    staff = 200

    handle, out = writer(directory, "partners", ["name", "nickname", "partner_type", "track", "status", "region",
                                                 "country", "created_at", "regions_served", "specializations"])
    for i in range(n_partners):
        region = REGIONS[i % 5]
        out.writerow([f"P{i}", f"Partner {i} GmbH", f"P{i}", "RESELLER", "OPEN", "AUTHORIZED", region,
                      COUNTRIES[region], AT, region, "kubernetes;devsecops"])
    handle.close()

    handle, out = writer(directory, "users", ["email", "name", "role", "partner", "regions", "created_at"])
    for i in range(staff):
        out.writerow([f"U{i}", f"ae{i}@vendor.example", f"AE {i}", "ACCOUNT_EXECUTIVE", "", REGIONS[i % 5], AT])
    for i in range(n_partners):
        out.writerow([f"PU{i}", f"user{i}@partner{i}.example", f"Partner User {i}", "PARTNER_USER", f"P{i}", "", AT])
    handle.close()

    roots = int(n_accounts * 0.8)
    handle, out = writer(directory, "accounts", ["name", "account_type", "parent", "region", "country", "owner",
                                                 "employees_datafox", "employees_zoominfo", "currency", "carr",
                                                 "screening_status", "created_at", "addresses"])
    for i in range(n_accounts):
        region = REGIONS[i % 5]
        country = COUNTRIES[region]
        parent = "" if i < roots else f"A{rng.randrange(roots)}"
        datafox = "" if rng.random() < 0.2 else rng.choice([rng.randint(5, 99), rng.randint(100, 1999),
                                                             rng.randint(2000, 40000)])
        address = json.dumps([{"source": "BILLING", "street": f"{i} Main Street", "city": "Springfield",
                               "country": country}])
        out.writerow([f"A{i}", f"Customer {i}, Inc", "CUSTOMER", parent, region, country, f"U{i % staff}", datafox,
                      rng.randint(5, 40000) if datafox == "" else "", CURRENCIES[country],
                      f"{rng.randint(0, 500) * 1000}.00", "CLEAR", AT, address])
    handle.close()

    handle, out = writer(directory, "contacts", ["account", "name", "email", "title", "created_at"])
    for i in range(n_accounts):
        out.writerow([f"C{i}", f"A{i}", f"Contact {i}", f"contact{i}@customer{i}.example", "CIO", AT])
    handle.close()

    handle, out = writer(directory, "opportunities", ["account", "name", "stage", "currency", "amount", "net_arr",
                                                      "close_date", "owner", "created_at", "team", "contacts",
                                                      "stage_history"])
    registrations = open(directory / "registrations.csv", "w", newline="", encoding="utf-8")
    regs = csv.writer(registrations, lineterminator="\n")
    regs.writerow(["external_id", "partner", "registered_by", "registration_type", "status", "account", "region",
                   "opportunity", "currency", "estimated_amount", "submitted_at", "last_submitted_at",
                   "approved_at", "decided_at", "decided_by", "reason", "prospect_name", "products", "history"])
    for i in range(n_opportunities):
        account = i % n_accounts
        region = REGIONS[account % 5]
        currency = CURRENCIES[COUNTRIES[region]]
        amount = f"{rng.randint(1, 500) * 348}.00"
        partner = rng.randrange(n_partners)
        team = []
        name = f"Customer {account}, Inc- {rng.choice([10, 25, 50])} Premium"
        if i % 3 == 0:
            team = [{"partner": f"P{partner}", "role": "RESELLER", "primary": True, "at": AT}]
            name = f"P{partner} - {name}"
        out.writerow([f"O{i}", f"A{account}", name, rng.choice(STAGES), currency, amount, amount, "2026-12-31",
                      f"U{account % 200}", AT, json.dumps(team),
                      json.dumps([{"contact": f"C{account}", "role": "DECISION_MAKER", "primary": True}]),
                      json.dumps([{"from": None, "to": "0-Pending Acceptance", "at": AT}])])
        for k, status in enumerate(("APPROVED", "DENIED", "WITHDRAWN")):
            p = (partner + k) % n_partners
            history = json.dumps([{"event": "SUBMITTED", "to": "SUBMITTED", "by": f"PU{p}", "at": AT},
                                  {"event": status, "from": "SUBMITTED", "to": status, "at": AT}])
            regs.writerow([f"R{i}-{k}", f"P{p}", f"PU{p}", "RESALE", status, f"A{account}", region, f"O{i}",
                           currency, amount, AT, AT, AT if status == "APPROVED" else "", AT, f"U{account % 200}",
                           "" if status == "APPROVED" else "Another partner sourced it.", f"Customer {account}, Inc",
                           "ci-cd", history])
    handle.close()
    registrations.close()
    return {"partners": n_partners, "users": staff + n_partners, "accounts": n_accounts, "contacts": n_accounts,
            "opportunities": n_opportunities, "registrations": 3 * n_opportunities}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=35)
    args = parser.parse_args()
    print(generate(args.directory, args.scale, args.seed))


if __name__ == "__main__":
    main()
