"""Issue 34, the program's records through GraphQL: ending an agreement and correcting or
removing a training (P2: eligibility follows at once, registerDeal too), and the directory
profile `updatePartner` edits (D7: codes checked as the locator checks them, and the locator
sees the edit at its next search)."""

from datetime import datetime, timedelta, timezone

from partners.locator.tables import DirectoryVersion
from partners.people.tables import PartnerCountryServed, PartnerLanguage, PartnerSpecialization
from tests.schema.program import (
    AGREEMENT,
    CORRECT_TRAINING,
    END_AGREEMENT,
    PARTNER_RECORDS,
    PROFILE_FIELDS,
    REMOVE_TRAINING,
    UPDATE,
    codes,
    ok,
    run,
)
from tests.schema.registrations import REGISTER, deal_input
from tests.schema.sales import gid
from tests.schema.test_locator import locate, names



def today():
    """The server's today (UTC), asked per use: a module constant went stale when a run crossed midnight."""
    return datetime.now(timezone.utc).date()


PROFILE = f"""mutation($input: UpdatePartnerInput!) {{
  updatePartner(input: $input) {{ partner {{ name {PROFILE_FIELDS} }} errors {{ code field rule }} }}
}}"""


async def _records(gql, token: str, partner_gid: str | None = None) -> dict:
    return (await gql(PARTNER_RECORDS, {"id": partner_gid}, token=token))["data"]["partner"]


async def test_p2_ending_the_agreement_stops_registering_at_once(gql, world):
    alpha = gid("Partner", world.partners["alpha"])
    [agreement] = (await _records(gql, world.tokens["alpha_user"]))["agreements"]
    assert agreement["inForce"] is True and agreement["endedOn"] is None

    no_reason = await run(gql, END_AGREEMENT, world.tokens["cm_amer"], id=agreement["id"], reason=" ")
    assert codes(no_reason) == [("REASON_REQUIRED", ("reason",), "P2")]
    before = await run(gql, END_AGREEMENT, world.tokens["cm_amer"], id=agreement["id"], reason="x",
                       endedOn=(today() - timedelta(days=1)).isoformat())
    assert codes(before) == [("ENDS_BEFORE_SIGNING", ("endedOn",), "P2")]
    assert codes(await run(gql, END_AGREEMENT, world.tokens["cm_emea"], id=agreement["id"], reason="x")) == [
        ("NOT_REGION_MANAGER", ("id",), "P1")]
    for token in ("alpha_admin", "ae"):
        body = await gql(END_AGREEMENT, {"input": {"id": agreement["id"], "reason": "x"}}, token=world.tokens[token],
                         errors=True)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await _records(gql, world.tokens["alpha_user"]))["agreements"][0]["endedOn"] is None, "nothing written"

    ended = await ok(gql, END_AGREEMENT, world.tokens["cm_amer"], id=agreement["id"], reason="Terminated for breach")
    assert ended["agreement"] == {**agreement, "endedOn": today().isoformat(), "endReason": "Terminated for breach",
                                  "inForce": False}
    assert ended["partner"]["eligibility"]["reasons"] == [
        {"code": "AGREEMENT_NOT_SIGNED", "field": ["partnerId"], "rule": "P2"}]
    refused = await run(gql, REGISTER, world.tokens["alpha_user"], **deal_input())
    assert codes(refused) == [("AGREEMENT_NOT_SIGNED", ("partnerId",), "P2")]
    again = await run(gql, END_AGREEMENT, world.tokens["admin"], id=agreement["id"], reason="again")
    assert codes(again) == [("ALREADY_ENDED", ("id",), "P2")]

    await ok(gql, AGREEMENT, world.tokens["cm_amer"], partnerId=alpha, version="2027.1",
             signedOn=today().isoformat(), signerName="Grace")
    assert (await run(gql, REGISTER, world.tokens["alpha_user"], **deal_input()))["errors"] == []


async def test_p2_an_end_date_may_be_scheduled_or_back_dated(gql, world):
    alpha = gid("Partner", world.partners["alpha"])
    [current] = (await _records(gql, world.tokens["admin"], alpha))["agreements"]
    scheduled = await ok(gql, END_AGREEMENT, world.tokens["cm_amer"], id=current["id"], reason="Not renewed",
                         endedOn=(today() + timedelta(days=30)).isoformat())
    assert scheduled["agreement"]["inForce"] is True, "in force until the day it ends"
    assert scheduled["partner"]["eligibility"]["eligibleToRegister"] is True
    await ok(gql, AGREEMENT, world.tokens["cm_amer"], partnerId=alpha, version="2025.9",
             signedOn=(today() - timedelta(days=10)).isoformat(), signerName="Old")
    older = next(a for a in (await _records(gql, world.tokens["admin"], alpha))["agreements"]
                 if a["version"] == "2025.9")
    back = await ok(gql, END_AGREEMENT, world.tokens["admin"], id=older["id"], reason="Replaced",
                    endedOn=(today() - timedelta(days=1)).isoformat())
    assert back["agreement"]["inForce"] is False
    assert back["partner"]["eligibility"]["agreementSignedOn"] == today().isoformat()


async def test_p2_correcting_and_removing_trainings_recompute_eligibility(gql, world):
    cm = world.tokens["cm_amer"]
    trainings = (await _records(gql, cm, gid("Partner", world.partners["alpha"])))["trainings"]
    assert len(trainings) == 3
    first, second, third = (t["id"] for t in trainings)
    moved = await ok(gql, CORRECT_TRAINING, cm, id=first, course="SALES_ACCREDITATION",
                     personEmail=" Fixed@Alpha.test ")
    assert moved["training"]["course"] == "SALES_ACCREDITATION" and moved["training"]["personEmail"] == "fixed@alpha.test"
    assert moved["partner"]["eligibility"]["trainedPeople"] == 2
    lapsed = await ok(gql, CORRECT_TRAINING, cm, id=second, completedOn="2024-01-01", expiresOn="2025-01-01")
    assert lapsed["partner"]["eligibility"]["trainedPeople"] == 1
    cleared = await ok(gql, CORRECT_TRAINING, cm, id=second, expiresOn=None)
    assert cleared["training"]["expiresOn"] is None and cleared["partner"]["eligibility"]["trainedPeople"] == 2
    await ok(gql, CORRECT_TRAINING, cm, id=second, expiresOn="2025-01-01")

    bad = await run(gql, CORRECT_TRAINING, cm, id=third, expiresOn="2000-01-01", personEmail="nope")
    assert set(codes(bad)) == {("EXPIRES_BEFORE_COMPLETION", ("expiresOn",), "P2"), ("INVALID_EMAIL", ("personEmail",),
                                                                                       None)}
    assert codes(await run(gql, CORRECT_TRAINING, cm, id=third)) == [("NO_CHANGE", (), "P2")]
    future = await run(gql, CORRECT_TRAINING, cm, id=third, completedOn=(today() + timedelta(days=2)).isoformat())
    assert codes(future) == [("DATE_IN_FUTURE", ("completedOn",), "P2")]
    assert codes(await run(gql, REMOVE_TRAINING, cm, id=third, reason="")) == [("REASON_REQUIRED", ("reason",), "P2")]
    assert codes(await run(gql, REMOVE_TRAINING, world.tokens["cm_emea"], id=third, reason="x")) == [
        ("NOT_REGION_MANAGER", ("id",), "P1")]

    removed = await ok(gql, REMOVE_TRAINING, cm, id=third, reason="Recorded for the wrong partner")
    assert removed["training"]["id"] == third
    assert removed["partner"]["eligibility"]["reasons"] == [
        {"code": "NO_TRAINED_EMPLOYEE", "field": ["partnerId"], "rule": "P2"}]
    assert codes(await run(gql, REMOVE_TRAINING, cm, id=third, reason="again")) == [("NOT_FOUND", ("id",), None)]
    refused = await run(gql, REGISTER, world.tokens["alpha_user"], **deal_input())
    assert codes(refused) == [("NO_TRAINED_EMPLOYEE", ("partnerId",), "P2")]


async def test_records_of_another_partner_are_out_of_reach(gql, world):
    beta = await _records(gql, world.tokens["admin"], gid("Partner", world.partners["beta"]))
    agreement, training = beta["agreements"][0]["id"], beta["trainings"][0]["id"]
    node = "query($id: ID!) { node(id: $id) { id } }"
    for record in (agreement, training):
        assert (await gql(node, {"id": record}, token=world.tokens["alpha_admin"]))["data"]["node"] is None
        assert (await gql(node, {"id": record}, token=world.tokens["beta_user"]))["data"]["node"] == {"id": record}
    assert codes(await run(gql, END_AGREEMENT, world.tokens["cm_amer"], id=agreement, reason="x")) == [
        ("NOT_REGION_MANAGER", ("id",), "P1")]
    assert (await ok(gql, END_AGREEMENT, world.tokens["cm_emea"], id=agreement, reason="x"))["agreement"]["inForce"] \
        is False


async def _version() -> int:
    return (await DirectoryVersion.select(DirectoryVersion.version).first())["version"]


async def test_d7_update_partner_edits_the_directory_profile_and_the_locator_sees_it_at_once(gql, world):
    alpha = gid("Partner", world.partners["alpha"])
    ae = world.tokens["ae"]
    assert names(await locate(gql, ae, specializations=["kubernetes"])) == []
    edited = await ok(gql, PROFILE, world.tokens["cm_amer"], id=alpha, specializations=["Kubernetes", "devsecops",
                                                                                          "kubernetes"],
                      languages=["EN", "es"], regionsServed=["LATAM"], countriesServed=["mx", "BR"],
                      latitude=19.43, longitude=-99.13, city="Mexico City")
    assert {k: edited["partner"][k] for k in ("specializations", "languages", "regionsServed", "countriesServed",
                                              "latitude", "longitude")} == {
        "specializations": ["kubernetes", "devsecops"], "languages": ["en", "es"],
        "regionsServed": ["LATAM", "AMER"], "countriesServed": ["MX", "BR", "US"],  # home region and country kept
        "latitude": 19.43, "longitude": -99.13}
    for query in ({"specializations": ["kubernetes", "devsecops"]}, {"language": "es"}, {"country": "BR"},
                  {"region": "LATAM"}, {"country": "US"}, {"text": "mexico"},
                  {"near": {"latitude": 19.4, "longitude": -99.1, "radiusKm": 20}}):
        assert names(await locate(gql, ae, **query)) == ["Alpha Resellers"], query
    await ok(gql, PROFILE, world.tokens["admin"], id=alpha, specializations=[], languages=["de"],
             latitude=None, longitude=None)
    assert names(await locate(gql, ae, specializations=["kubernetes"])) == []
    assert names(await locate(gql, ae, language="de")) == ["Alpha Resellers"]
    assert names(await locate(gql, ae, near={"latitude": 19.4, "longitude": -99.1, "radiusKm": 20})) == []
    assert names(await locate(gql, ae, country="BR")) == ["Alpha Resellers"], "lists not given stay"


async def test_d7_bad_profile_codes_are_refused_and_nothing_is_written(gql, world):
    alpha = gid("Partner", world.partners["alpha"])
    await ok(gql, PROFILE, world.tokens["cm_amer"], id=alpha, languages=["en"], countriesServed=["CA"])
    version = await _version()
    before = [await t.count() for t in (PartnerLanguage, PartnerCountryServed, PartnerSpecialization)]
    bad = await run(gql, PROFILE, world.tokens["cm_amer"], id=alpha, languages=["en", "xx", "eng"],
                    countriesServed=["UK"], specializations=["ok", "Not OK!"], latitude=95.0, longitude=10.0)
    assert set(codes(bad)) == {
        ("INVALID_LANGUAGE", ("languages", "1"), "D7"), ("INVALID_LANGUAGE", ("languages", "2"), "D7"),
        ("INVALID_COUNTRY", ("countriesServed", "0"), "D7"),
        ("INVALID_SPECIALIZATION", ("specializations", "1"), "D7"), ("INVALID_LATITUDE", ("latitude",), "D7")}
    half = await run(gql, PROFILE, world.tokens["cm_amer"], id=alpha, latitude=10.0)
    assert codes(half) == [("LOCATION_INCOMPLETE", ("latitude",), "D7")]
    too_many = await run(gql, PROFILE, world.tokens["cm_amer"], id=alpha, specializations=[f"s{i}" for i in range(31)])
    assert codes(too_many) == [("TOO_MANY_VALUES", ("specializations",), "D7")]
    assert codes(await run(gql, UPDATE, world.tokens["cm_amer"], id=alpha, country="UK")) == [
        ("INVALID_COUNTRY", ("country",), None)]
    assert codes(await run(gql, PROFILE, world.tokens["cm_emea"], id=alpha, languages=["de"])) == [
        ("NOT_REGION_MANAGER", ("id",), "P1")]
    assert await _version() == version
    assert [await t.count() for t in (PartnerLanguage, PartnerCountryServed, PartnerSpecialization)] == before
