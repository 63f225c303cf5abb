"""The plugin module, registered through the entry point `example` of group `cosell`.

- EX1 (`cosell_validate_opportunity`): at most `max_resellers` partners in the RESELLER
  role on one opportunity; refused with the code TOO_MANY_RESELLERS. Switch it off like a
  built-in rule with COSELL_DISABLE_RULES=EX1.
- The region locator (`cosell_locate_partners`): answers the partner locator for the
  region of a JSON directory file (APJ for the packaged file) and passes on every other
  region, which the built-in database lookup then serves.
- EX2, a discount line (`cosell_partner_discount`): a loyalty promotion of
  `loyalty_rate` percent of the list amount for partners on the SELECT track, added next to
  the built-in lines (its own key, so it replaces nothing). The rate is an exact `Decimal`
  and the basis the deal's `Money` (issue 40): the line's amount is rounded half up to the
  deal currency's minor unit by cosell.
- EX3, a bounded partner discount (`cosell_partner_discount`): with
  `select_partner_rate` set, SELECT partners' partner line is derived from the standard one
  at that rate; cosell caps it at the policy's rate (P8) unless the operator allows more.
- A start-up hook and async, idempotent events (crm.py): `cosell_startup` learns the
  plugin's name (the `source` of its lines) and opens the CRM file; `cosell_lead_event`
  (async) writes one record per outbox message id, so a retried message is not synced twice.
- A GraphQL field (`cosell_extend_schema`): `exampleLoyalty(partnerId)`, a partner's EX2
  standing; partner users read their own partner's only (schema_fields.py).

Settings (environment variables, validated when cosell starts):
- COSELL_PLUGIN_EXAMPLE_MAX_RESELLERS: an integer ≥ 1, default 1;
- COSELL_PLUGIN_EXAMPLE_DIRECTORY_FILE: the directory file, default the packaged
  `data/apj_partners.json`;
- COSELL_PLUGIN_EXAMPLE_LOYALTY_RATE: a percentage from 0 to 100, read exactly (a decimal
  such as 1.5 or 0.75), default 1.5 (EX2);
- COSELL_PLUGIN_EXAMPLE_SELECT_PARTNER_RATE: optional, the same form (EX3);
- COSELL_PLUGIN_EXAMPLE_CRM_FILE: optional, the JSON-lines file lead events are synced to.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from partners.discounts import DiscountLine, standard_lines
from partners.enums import DiscountLineKind, OpportunityPartnerRole, PartnerTrack, PartnerType, Region
from partners.errors import Violation
from partners.locator import DirectoryEntry, LocatorQuery, matches
from plugins import PluginSettings, Setting, hookimpl
from schema.plugin_api import SchemaAdditions

from cosell_plugin_example import crm
from cosell_plugin_example.schema_fields import ExampleLoyaltyQuery

RULE = "EX1"
DISCOUNT_RULE = "EX2"
PARTNER_RATE_RULE = "EX3"
PACKAGED_DIRECTORY = Path(str(files("cosell_plugin_example") / "data" / "apj_partners.json"))

plugin_settings = PluginSettings(
    Setting("max_resellers", int, default=1, help="partners in the RESELLER role allowed on one opportunity (EX1)",
            check=lambda n: n >= 1 or "must be at least 1"),
    Setting("directory_file", Path, default=PACKAGED_DIRECTORY, help="the JSON directory the region locator serves",
            check=lambda path: path.is_file() or "is not a file"),
    Setting("loyalty_rate", str, default="1.5", help="percent of the list amount for SELECT partners (EX2), exact",
            check=lambda rate: _percent(rate) is not None or "must be a percentage from 0 to 100"),
    Setting("crm_file", Path, default=None, help="the JSON-lines file lead events are synced to; unset: no sync"),
    Setting("select_partner_rate", str, default=None,
            help="EX3: the partner discount of SELECT partners, exact; bounded by the policy (P8); unset: off",
            check=lambda rate: _percent(rate) is not None or "must be a percentage from 0 to 100"),
)


def _percent(raw: str) -> Decimal | None:
    """A percentage from 0 to 100 as an exact Decimal (a float would make 1.1 % 1.100000000000000088…)."""
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() and 0 <= value <= 100 else None


# ---------------------------------------------------------------- EX1, a reseller rule


@hookimpl
def cosell_validate_opportunity(opportunity, context) -> list[Violation]:
    """EX1: at most `max_resellers` RESELLER-role partners per opportunity."""
    if not context.enabled(RULE):
        return []
    limit = plugin_settings["max_resellers"]
    resellers = [p.name for p in opportunity.partners if p.role is OpportunityPartnerRole.RESELLER]
    if len(resellers) <= limit:
        return []
    return [Violation(
        code="TOO_MANY_RESELLERS",
        message=f"At most {limit} reseller(s) per opportunity (EX1), not {len(resellers)}: {', '.join(resellers)}.",
        field=("role",),
        rule=RULE,
    )]


# ---------------------------------------------------------------- the region locator


@dataclass(frozen=True)
class Directory:
    region: Region
    entries: tuple[DirectoryEntry, ...]


@lru_cache(maxsize=4)
def load_directory(path: Path) -> Directory:
    """Read a directory file once; only AUTHORIZED, published partners are listed (P1)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    region = Region(data["region"])
    entries = tuple(
        DirectoryEntry(
            key=f"example:{item['key']}",
            name=item["name"],
            partner_type=PartnerType(item["type"]),
            track=PartnerTrack(item["track"]),
            region=region,
            country=item["country"],
            city=item.get("city", ""),
            latitude=item.get("latitude"),
            longitude=item.get("longitude"),
            regions_served=(region,),
            countries_served=(item["country"],),
            specializations=tuple(item.get("specializations", ())),
            languages=tuple(item.get("languages", ())),
            delivered_engagements=int(item.get("deliveredEngagements", 0)),
        )
        for item in data["partners"]
        if item.get("status") == "AUTHORIZED" and item.get("published", True)
    )
    return Directory(region=region, entries=entries)


@hookimpl
def cosell_locate_partners(region: Region | None, query: LocatorQuery) -> list[DirectoryEntry] | None:
    """Every entry of the file matching the query, for the file's region; None otherwise."""
    directory = load_directory(plugin_settings["directory_file"])
    if region is not directory.region:
        return None
    return [entry for entry in directory.entries if matches(entry, query)]


# ---------------------------------------------------------------- EX2, a discount line


def loyalty_rate() -> Decimal | None:
    """EX2's rate, an exact Decimal percentage (the setting is checked at start-up)."""
    return _percent(plugin_settings["loyalty_rate"])


@hookimpl
def cosell_partner_discount(partner, deal, context) -> list[DiscountLine]:
    """For SELECT partners: EX2, a loyalty promotion line on every quote, and EX3, their
    partner discount at `select_partner_rate` when set. EX3 replaces the built-in
    `partner` line, derived from it (`derive` recomputes the amount); cosell bounds it by
    the policy (P8): above the policy's rate it is capped, lower rates stand."""
    if partner.track is not PartnerTrack.SELECT:
        return []
    lines = []
    rate = loyalty_rate()
    if rate:
        lines.append(DiscountLine(
            kind=DiscountLineKind.PROMOTION,
            key="example_loyalty",
            label="Loyalty promotion (example)",
            rate=rate,  # a Decimal percentage
            basis_amount=deal.list_amount,  # Money, in the deal's currency
            rule=DISCOUNT_RULE,
            partner_id=partner.id,
            source=crm.state["name"],  # the plugin's own name, learnt at start-up
        ))
    raw = plugin_settings["select_partner_rate"]
    standard = next((line for line in standard_lines(partner, deal, context) if line.key == "partner"), None)
    if raw is not None and standard is not None:
        lines.append(standard.derive(rate=_percent(raw), label="SELECT partner rate (example)",
                                     rule=PARTNER_RATE_RULE, source=crm.state["name"]))
    return lines


# ---------------------------------------------------------------- a GraphQL field


@hookimpl
def cosell_extend_schema() -> SchemaAdditions:
    """`exampleLoyalty`: a partner's EX2 standing, under partner scoping (schema_fields.py)."""
    return SchemaAdditions(queries=[ExampleLoyaltyQuery])


# ---------------------------------------------------------------- lifecycle and events


@hookimpl
def cosell_startup(app_context) -> None:
    """Learn the plugin's name and open the CRM sync (crm.py)."""
    crm.start(app_context)


@hookimpl
def cosell_shutdown(app_context) -> None:
    crm.stop()


@hookimpl
async def cosell_lead_event(envelope) -> None:
    """Async and idempotent: one CRM record per outbox message id (crm.py)."""
    await crm.sync_lead_event(envelope)
