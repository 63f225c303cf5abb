"""Issue 33 item 9: the limits the schema states are the limits enforced, from one constant.

A description's "At most N characters." comes from the constant the check reads: the
domain's own (P1 name 200, reason 2000, agreement version 40 …) where the domain checks the
text, else the input limit (schema/core/input_limits.py). Every other "at most N" in a
description names its constant below."""

import re
from datetime import date

from graphql import GraphQLInputObjectType, GraphQLObjectType, get_named_type

from partners.analytics.ranking import MAX_PAGE_SIZE
from partners.cases.service import MAX_IN_PROGRESS
from partners.infra.settings import Settings
from partners.locator.search import MAX_RADIUS_KM
from partners.people.tables import Partner
from partners.program.invitations import INVITATIONS_PER_DAY
from partners.program.lifecycle import LIMITS
from partners.program.profile import MAX_ITEMS as PROFILE_MAX_ITEMS
from partners.program.tables import PartnerAgreement
from schema import build_schema
from schema.core.input_limits import DOMAIN_LIMITS, MAX_LENGTHS, max_length, shown_limit
from tests.schema.program import AGREEMENT, CREATE, DENY, codes, ok, run

AT_MOST = re.compile(r"\bat most (\d+)\b", re.IGNORECASE)
CHARACTERS = re.compile(r"At most (\d+) characters\.$")
# "at most N" that is not a text length: where it is, and the constant that enforces it.

OTHER_LIMITS = {
    "NearInput.radiusKm": MAX_RADIUS_KM,  # D7, partners.locator.search
    "PartnerLocatorInput.first": Settings.max_page_size,  # COSELL_MAX_PAGE_SIZE's default
    "Mutation.pickUpCase": MAX_IN_PROGRESS,  # D9, partners.cases.service
    "Mutation.resendInvitation": INVITATIONS_PER_DAY,  # issue 34, partners.program.invitations
    "UpdatePartnerInput.specializations": PROFILE_MAX_ITEMS["specializations"],  # D7, partners.program.profile
    "ChannelMetricsResult": MAX_PAGE_SIZE,  # issue 36, partners.analytics.ranking
}


def _described():
    """(key, description, the named type of an argument or input field, else None) for every
    description of the schema."""
    schema = build_schema()._schema
    for type_ in schema.type_map.values():
        if type_.name.startswith("__"):
            continue
        yield type_.name, type_.description, None
        if isinstance(type_, GraphQLInputObjectType):
            for name, field in type_.fields.items():
                yield f"{type_.name}.{name}", field.description, get_named_type(field.type).name
        elif isinstance(type_, GraphQLObjectType):
            for field_name, field in type_.fields.items():
                yield f"{type_.name}.{field_name}", field.description, None
                for name, arg in field.args.items():
                    yield f"{type_.name}.{field_name}({name})", arg.description, get_named_type(arg.type).name


def test_every_at_most_in_the_schema_is_the_constant_its_check_reads():
    found = {}
    for key, description, input_type in _described():
        numbers = [int(n) for n in AT_MOST.findall(description or "")]
        if not numbers:
            continue
        characters = CHARACTERS.search(description)
        if input_type in ("String", "ID") and characters:
            n = found[key] = int(characters.group(1))
            if key in DOMAIN_LIMITS:  # the domain's constant, and the input limit lets the domain answer
                assert n == DOMAIN_LIMITS[key] <= max_length(key, input_type), key
            else:  # the input limit, refused before anything runs
                assert n == max_length(key, input_type), key
            assert n == shown_limit(key, input_type), key
        else:
            assert key in OTHER_LIMITS, f"{key}: {description!r} states a limit no constant here backs"
            assert numbers == [OTHER_LIMITS[key]], f"{key}: {description!r} but the check reads {OTHER_LIMITS[key]}"
    # the three fields of issue 33, against the domain's constants (and the column behind version)
    assert found["CreatePartnerInput.name"] == found["UpdatePartnerInput.name"] == LIMITS["name"] == 200
    assert found["DenyPartnerInput.reason"] == found["AuthorizePartnerInput.reason"] == LIMITS["reason"] == 2000
    assert found["RecordPartnerAgreementInput.version"] == LIMITS["version"] == PartnerAgreement.version.length
    assert set(DOMAIN_LIMITS) <= set(found), set(DOMAIN_LIMITS) - set(found)  # no domain limit names a lost field
    assert not set(OTHER_LIMITS) - {k for k, d, _ in _described() if AT_MOST.search(d or "")}  # none stale


def test_domain_limits_name_real_fields():
    schema = build_schema()._schema
    for key in [*DOMAIN_LIMITS, *MAX_LENGTHS]:
        type_name, field = key.split(".")
        assert field in getattr(schema.type_map.get(type_name), "fields", {}), f"names no field: {key}"


async def _limits(gql, input_type: str) -> dict[str, int]:
    """The "At most N characters." of each field of an input type, as a client reads them."""
    body = await gql('query($t: String!) { __type(name: $t) { inputFields { name description } } }', {"t": input_type})
    return {f["name"]: int(m.group(1)) for f in body["data"]["__type"]["inputFields"]
            if (m := CHARACTERS.search(f["description"] or ""))}


async def test_the_stated_limit_is_accepted_and_one_more_is_too_long(gql, world):
    """N characters pass, N + 1 are refused with TOO_LONG and its rule, nothing written."""
    admin = world.tokens["admin"]
    partner_limits = await _limits(gql, "CreatePartnerInput")
    assert partner_limits["name"] == 200
    partners = await Partner.count()
    for field in ("name", "city", "website"):
        n = partner_limits[field]
        refused = await run(gql, CREATE, admin, **{"name": "Gamma", "region": "AMER", field: "g" * (n + 1)})
        assert codes(refused) == [("TOO_LONG", (field,), "P1")], field
        assert await Partner.count() == partners
    n = partner_limits["nickname"]
    assert codes(await run(gql, CREATE, admin, name="Gamma", region="AMER", nickname="G" * (n + 1))) == [
        ("TOO_LONG", ("nickname",), "P1")]
    created = await ok(gql, CREATE, admin, name="g" * partner_limits["name"], region="AMER", city="c" * partner_limits["city"],
                       website="w" * partner_limits["website"], nickname="G" * n)
    partner = created["partner"]
    assert len(partner["name"]) == 200 and partner["nickname"] == "G" * n

    version = (await _limits(gql, "RecordPartnerAgreementInput"))["version"]
    assert version == 40
    agreement = {"partnerId": partner["id"], "signedOn": date.today().isoformat(), "signerName": "Grace Signer"}
    assert codes(await run(gql, AGREEMENT, admin, **agreement, version="v" * (version + 1))) == [
        ("TOO_LONG", ("version",), "P2")]
    recorded = await ok(gql, AGREEMENT, admin, **agreement, version="v" * version)
    assert recorded["agreement"]["version"] == "v" * version

    reason = (await _limits(gql, "DenyPartnerInput"))["reason"]
    assert reason == 2000
    too_long = await run(gql, DENY, admin, id=partner["id"], reason="r" * (reason + 1))
    assert codes(too_long) == [("TOO_LONG", ("reason",), "P1")]
    denied = await ok(gql, DENY, admin, id=partner["id"], reason="r" * reason)
    assert denied["partner"]["status"] == "DENIED"
    assert "r" * reason in [h["reason"] for h in denied["partner"]["history"]]


async def test_an_api_token_name_is_limited_as_described(gql, world):
    create = """mutation($name: String!) { createApiToken(input: {name: $name}) { token errors { code field } } }"""
    n = (await _limits(gql, "CreateApiTokenInput"))["name"]
    too_long = await gql(create, {"name": "t" * (n + 1)}, token=world.tokens["ae"])
    assert too_long["data"]["createApiToken"]["errors"] == [{"code": "TOO_LONG", "field": ["name"]}]
    fits = await gql(create, {"name": "t" * n}, token=world.tokens["ae"])
    assert fits["data"]["createApiToken"]["errors"] == [] and fits["data"]["createApiToken"]["token"]
