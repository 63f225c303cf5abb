"""The channel metrics computed independently from the rows, in Python (issue 36): what
`channelMetrics` must answer. Working time, percentiles and the P4/P11/D9 checks are
written out here again, from DOMAIN.md's rules, not imported from the code under test."""

from __future__ import annotations

import base64
from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from partners.accounts.tables import Account
from partners.cases.tables import PartnerCase
from partners.leads.tables import Lead, LeadEvent
from partners.money.amounts import Money
from partners.money.rates import current_rates
from partners.opportunities.tables import Opportunity
from partners.people.tables import Partner
from partners.plans.tables import CoSellPlan, CoSellTask
from partners.registrations.tables import DealRegistration, DealRegistrationChange

UTC = timezone.utc
WON, LOST = "7-Closed Won", "8-Closed Lost"
CLOSED = {WON, LOST, "9-Unqualified", "10-Duplicate"}


def working_hours(start: datetime, end: datetime) -> float:
    """P4 working time, Mon–Fri 09:00–17:00 UTC, day by day."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    total = 0.0
    day = start.date()
    while day <= end.date():
        if day.weekday() < 5:
            opens = datetime.combine(day, time(9), tzinfo=UTC)
            closes = datetime.combine(day, time(17), tzinfo=UTC)
            lo, hi = max(opens, start), min(closes, end)
            if hi > lo:
                total += (hi - lo).total_seconds()
        day += timedelta(days=1)
    return int(total) / 3600


def percentile(values: list[float], p: float) -> float:
    """Linear interpolation between closest ranks (PostgreSQL's percentile_cont)."""
    ordered = sorted(values)
    k = p * (len(ordered) - 1)
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def gid(pk: int) -> str:
    return base64.b64encode(f"Partner:{pk}".encode()).decode()


def period_keys(at) -> dict:
    d = at.astimezone(UTC).date() if isinstance(at, datetime) else at
    return {"month": d.strftime("%Y-%m"), "quarter": f"{d.year}-Q{(d.month + 2) // 3}"}


async def expected_metrics(start: date, end: date, group_by: list[str], *, today: date, reporting: str = "USD",
                           partner_id: int | None = None) -> dict[tuple, dict]:
    """Group key (the GraphQL row's grouping fields in order) -> figures."""
    start_at = datetime.combine(start, time(0), tzinfo=UTC)
    end_at = datetime.combine(end + timedelta(days=1), time(0), tzinfo=UTC)
    partners = {p["id"]: p for p in await Partner.select(Partner.id, Partner.name, Partner.track)}
    groups: dict[tuple, dict] = {}

    def in_period(at) -> bool:
        if at is None:
            return False
        if isinstance(at, datetime):
            return start_at <= at < end_at
        return start <= at <= end

    def group(partner: int, region, reg_type, at) -> dict | None:
        if partner_id is not None and partner != partner_id:
            return None
        fields = {"partnerId": gid(partner), "partnerName": partners[partner]["name"], "region": region,
                  "track": partners[partner]["track"], "type": reg_type, **period_keys(at)}
        key = []
        for dim in group_by:
            key += [fields["partnerId"], fields["partnerName"]] if dim == "PARTNER" else [fields[dim.lower()]]
        return groups.setdefault(tuple(key), defaultdict(int, {"first": [], "decision": [], "open": defaultdict(
            Decimal), "won_value": defaultdict(Decimal)}))

    regs = {r["id"]: r for r in await DealRegistration.select()}
    for r in regs.values():
        g = group(r["partner"], r["region"], r["registration_type"], r["submitted_at"])
        if g is not None and in_period(r["submitted_at"]):
            g["submitted"] += 1
    changes = await DealRegistrationChange.select().order_by(DealRegistrationChange.registration).order_by(
        DealRegistrationChange.changed_at).order_by(DealRegistrationChange.id)
    clock: dict[int, datetime] = {}
    for c in changes:
        r = regs[c["registration"]]
        if c["event"] in ("SUBMITTED", "RESUBMITTED"):
            clock[r["id"]] = c["changed_at"]
            continue
        if not in_period(c["changed_at"]):
            continue
        g = group(r["partner"], r["region"], r["registration_type"], c["changed_at"])
        if g is None:
            continue
        if c["event"] in ("APPROVED", "DENIED", "RETURNED", "WITHDRAWN", "EXPIRED"):
            g[c["event"].lower()] += 1
        started = clock.get(r["id"])
        if started is None:
            continue
        hours = working_hours(started, c["changed_at"])
        if c["from_status"] == "SUBMITTED" and c["event"] in ("PENDING_SALES_REVIEW", "RETURNED", "DENIED"):
            g["first"].append(hours)
            g["first_missed"] += hours > 2  # P4: first review within 2 working hours
        if c["event"] in ("APPROVED", "DENIED"):
            g["decision"].append(hours)
            g["decision_missed"] += hours > 8  # P4: decision within 1 business day

    sourcing: dict[int, dict] = {}
    for r in regs.values():
        if r["opportunity"] and r["registration_type"] != "SERVICES_ATTACH" and r["status"] in ("APPROVED", "EXPIRED"):
            best = sourcing.get(r["opportunity"])
            if best is None or (r["approved_at"], r["id"]) > (best["approved_at"], best["id"]):
                sourcing[r["opportunity"]] = r
    for o in await Opportunity.select():
        r = sourcing.get(o["id"])
        if r is None:
            continue
        value = o["net_arr"] if o["net_arr"] is not None else o["amount"]
        if o["stage"] not in CLOSED and in_period(r["approved_at"]):
            g = group(r["partner"], r["region"], r["registration_type"], r["approved_at"])
            if g is not None and value is not None:
                g["open"][o["currency"]] += value
        if o["stage"] in (WON, LOST) and in_period(o["closed_at"]):
            g = group(r["partner"], r["region"], r["registration_type"], o["closed_at"])
            if g is not None:
                g["won" if o["stage"] == WON else "lost"] += 1
                if o["stage"] == WON and value is not None:
                    g["won_value"][o["currency"]] += value

    plans = {p["id"]: p for p in await CoSellPlan.select()}
    opportunity_account = {o["id"]: o["account"] for o in await Opportunity.select(Opportunity.id, Opportunity.account)}
    account_region = {a["id"]: a["region"] for a in await Account.select(Account.id, Account.region)}
    for t in await CoSellTask.select():
        plan = plans[t["plan"]]
        region = account_region[opportunity_account[plan["opportunity"]]]
        if t["status"] == "DONE" and in_period(t["completed_at"]):
            g = group(plan["partner"], region, None, t["completed_at"])
            if g is not None:
                g["tasks_done"] += 1
        if t["status"] != "DONE" and in_period(t["due_date"]) and t["due_date"] < today:  # D3: past its due date
            g = group(plan["partner"], region, None, t["due_date"])
            if g is not None:
                g["tasks_overdue"] += 1

    leads = {lead["id"]: lead for lead in await Lead.select()}
    for e in await LeadEvent.select():
        if e["event"] in ("SHARED", "RECALLED") and e["partner"] is not None and in_period(e["occurred_at"]):
            g = group(e["partner"], leads[e["lead"]]["region"], None, e["occurred_at"])
            if g is not None:
                g["leads_shared" if e["event"] == "SHARED" else "leads_recalled"] += 1
    for lead in leads.values():
        if lead["partner"] is not None and in_period(lead["shared_at"]):
            g = group(lead["partner"], lead["region"], None, lead["shared_at"])
            if g is None:
                continue
            # P11: accepted within 5 business days, acted on within 10 (the share's deadlines).
            g["leads_accepted_in_time"] += bool(lead["accepted_at"] and lead["accepted_at"] <= lead["accept_due_at"])
            # An action after the 10 days is refused, and the first one clears the deadline.
            g["leads_acted_in_time"] += lead["acted_at"] is not None
    for case in await PartnerCase.select():
        if case["partner"] is None or not in_period(case["opened_at"]):
            continue
        region = account_region.get(case["account"]) if case["account"] else None
        g = group(case["partner"], region, None, case["opened_at"])
        if g is None:
            continue
        g["cases_opened"] += 1
        # D9: picked up within 24 hours, closed within 15 days.
        g["cases_picked"] += bool(case["picked_up_at"] and case["picked_up_at"] <= case["pickup_due_at"])
        g["cases_closed"] += bool(case["closed_at"] and case["closed_at"] <= case["close_due_at"])

    rates = await current_rates()
    on = min(end, today)

    def convert(by_currency: dict) -> str:
        total = Decimal(0)
        for currency, amount in by_currency.items():
            if currency != reporting:
                amount = rates.convert(Money.of(amount, currency), reporting, on).result.amount
            total += amount
        return str(Money.of(total, reporting).amount)

    out = {}
    for key, g in groups.items():
        decided, closed = g["approved"] + g["denied"], g["won"] + g["lost"]
        out[key] = {
            "registrationsSubmitted": g["submitted"], "registrationsApproved": g["approved"],
            "registrationsDenied": g["denied"], "registrationsReturned": g["returned"],
            "registrationsWithdrawn": g["withdrawn"], "registrationsExpired": g["expired"],
            "approvalRate": g["approved"] / decided if decided else None,
            "timeToFirstReview": {"count": len(g["first"]), "missedTarget": g["first_missed"],
                                  "medianHours": percentile(g["first"], 0.5) if g["first"] else None,
                                  "p90Hours": percentile(g["first"], 0.9) if g["first"] else None},
            "timeToDecision": {"count": len(g["decision"]), "missedTarget": g["decision_missed"],
                               "medianHours": percentile(g["decision"], 0.5) if g["decision"] else None,
                               "p90Hours": percentile(g["decision"], 0.9) if g["decision"] else None},
            "sourcedOpenPipeline": convert(g["open"]), "sourcedWonNetArr": convert(g["won_value"]),
            "opportunitiesWon": g["won"], "opportunitiesLost": g["lost"],
            "winRate": g["won"] / closed if closed else None,
            "tasksDone": g["tasks_done"], "tasksOverdue": g["tasks_overdue"], "leadsShared": g["leads_shared"],
            "leadsAcceptedInTime": g["leads_accepted_in_time"], "leadsActedOnInTime": g["leads_acted_in_time"],
            "leadsRecalled": g["leads_recalled"], "casesOpened": g["cases_opened"],
            "casesPickedUpInTime": g["cases_picked"], "casesClosedInTime": g["cases_closed"],
        }
    return out
