"""Domain events (partners.infra.events): how a lower domain's write reaches the domains above
it without importing them (issue 32)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass

import pytest

from partners.infra.errors import DomainError
from partners.infra.events import publish, subscribe, subscribers


@dataclass(frozen=True)
class Happened:
    what: str


async def test_handlers_run_in_subscription_order_and_a_refusal_stops_the_rest():
    seen = []

    @subscribe(Happened)
    async def first(event):
        seen.append(("first", event.what))

    @subscribe(Happened)
    async def refuse(event):
        raise DomainError.single("NO", "refused", (), "P6")

    @subscribe(Happened)
    async def never(event):
        seen.append(("never", event.what))

    subscribe(Happened)(first)  # subscribing twice runs it once
    with pytest.raises(DomainError):
        await publish(Happened("x"))
    assert seen == [("first", "x")]
    assert subscribers(Happened) == (first, refuse, never)


async def test_an_event_nobody_subscribed_to_is_a_no_op():
    @dataclass(frozen=True)
    class Unheard:
        pass

    await publish(Unheard())


def test_importing_only_the_publisher_makes_the_higher_domains_subscribe():
    """P6, P1/P11, R1: importing an opportunity, program or account module alone (as a job or a
    script may) already wires the registrations', leads' and opportunities' handlers, in order."""
    code = (
        "import partners.opportunities.service, partners.program.lifecycle, partners.accounts.service\n"
        "from partners.infra.events import subscribers\n"
        "from partners.opportunities.events import OpportunityClosedLost\n"
        "from partners.program.events import PartnerDenied\n"
        "from partners.accounts.events import AccountChannelChanged\n"
        "for event in (OpportunityClosedLost, PartnerDenied, AccountChannelChanged):\n"
        "    print(event.__name__, [f'{h.__module__}.{h.__name__}' for h in subscribers(event)])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == [
        "OpportunityClosedLost ['partners.registrations.subscribers.close_with_lost_opportunity']",
        "PartnerDenied ['partners.registrations.subscribers.end_with_denied_partner', "
        "'partners.leads.subscribers.recall_from_denied_partner']",
        "AccountChannelChanged ['partners.opportunities.subscribers.revalidate_account_opportunities']",
    ]
