"""The partner locator through GraphQL (D7, P1): filters, ordering, facets, distance,
pagination, validation, who may call it, and no N+1."""

import pytest

from partners.locator.search import haversine_km
from tests.locator_directory import HIDDEN, build_directory

LOCATE = """
query Locate($input: PartnerLocatorInput) {
  partnerLocator(input: $input) {
    totalCount
    source
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    facets { tracks { track count } types { type count } countries { country count } }
    edges { cursor node {
      key partnerId name nickname type track isPsp region country city website latitude longitude
      regionsServed countriesServed specializations certifications languages
      approvedRegistrations deliveredEngagements distanceKm
    } }
  }
}
"""

EMEA_ORDER = ["Berlin Cloud Select", "Paris Services", "London Resell", "Munich Ops", "Beta Distribution"]


async def locate(gql, token, **input_):
    body = await gql(LOCATE, {"input": input_}, token=token)
    return body["data"]["partnerLocator"]


def names(result):
    return [edge["node"]["name"] for edge in result["edges"]]


@pytest.fixture
async def directory(world):
    return await build_directory(world)


async def test_lists_only_authorized_published_partners_p1(gql, world, directory):
    result = await locate(gql, world.tokens["alpha_user"], first=100)
    listed = set(names(result))
    assert listed.isdisjoint(HIDDEN)
    assert len(listed) == result["totalCount"] == 10
    assert result["source"] == "plugins.builtin.locator_database"


async def test_order_select_tracks_first_then_engagements_then_name_p1(gql, world, directory):
    # SELECT (5 engagements) and SELECT_SERVICES (2) before OPEN; London and Munich tie on 20
    # engagements and are ordered by name; Beta (0 engagements) comes last.
    result = await locate(gql, world.tokens["cm_emea"], region="EMEA")
    assert names(result) == EMEA_ORDER


async def test_listing_shows_directory_fields(gql, world, directory):
    result = await locate(gql, world.tokens["ae"], region="EMEA", first=1)
    node = result["edges"][0]["node"]
    assert node == {
        "key": f"partner:{directory['Berlin Cloud Select']}",
        "partnerId": node["partnerId"],
        "name": "Berlin Cloud Select",
        "nickname": "BERLIN",
        "type": "SYSTEM_INTEGRATOR",
        "track": "SELECT",
        "isPsp": False,
        "region": "EMEA",
        "country": "DE",
        "city": "Berlin",
        "website": "https://berlin.example",
        "latitude": 52.52,
        "longitude": 13.4,
        "regionsServed": ["EMEA"],
        "countriesServed": ["AT", "DE"],
        "specializations": ["devsecops", "kubernetes"],
        "certifications": ["professional-services-engineer"],
        "languages": ["de", "en"],
        "approvedRegistrations": 10,
        "deliveredEngagements": 5,
        "distanceKm": None,
    }


async def test_filter_region_uses_regions_served_d7(gql, world, directory):
    amer = await locate(gql, world.tokens["ae"], region="AMER")
    # Tokyo Alliance is headquartered in APJ but also serves AMER.
    assert names(amer) == ["Tokyo Alliance", "Alpha Resellers"]
    apj = await locate(gql, world.tokens["ae"], region="APJ")
    assert names(apj) == ["Tokyo Alliance", "Apia Pacific IT", "Suva Islands IT"]
    assert (await locate(gql, world.tokens["ae"], region="PUBSEC"))["totalCount"] == 0


async def test_filter_country_uses_countries_served_d7(gql, world, directory):
    assert names(await locate(gql, world.tokens["ae"], country="AT")) == ["Berlin Cloud Select"]
    assert names(await locate(gql, world.tokens["ae"], country="be")) == ["Paris Services"]
    assert names(await locate(gql, world.tokens["ae"], country="DE")) == [
        "Berlin Cloud Select", "Munich Ops", "Beta Distribution"
    ]


async def test_filter_types_matches_any_listed_type_d7(gql, world, directory):
    result = await locate(gql, world.tokens["ae"], types=["MSP", "SYSTEM_INTEGRATOR"])
    assert names(result) == ["Berlin Cloud Select", "Paris Services", "Munich Ops"]


async def test_filter_tracks_p1(gql, world, directory):
    result = await locate(gql, world.tokens["ae"], tracks=["SELECT_SERVICES", "SELECT"])
    assert names(result) == ["Berlin Cloud Select", "Paris Services", "Tokyo Alliance"]
    open_only = await locate(gql, world.tokens["ae"], tracks=["OPEN"], region="EMEA")
    assert names(open_only) == ["London Resell", "Munich Ops", "Beta Distribution"]


async def test_filter_specializations_needs_all_of_them_d7(gql, world, directory):
    kube = await locate(gql, world.tokens["ae"], specializations=["kubernetes"])
    assert names(kube) == ["Berlin Cloud Select", "Munich Ops", "Sao Paulo Database Reseller"]
    both = await locate(gql, world.tokens["ae"], specializations=["Kubernetes", "devsecops"])
    assert names(both) == ["Berlin Cloud Select"]


async def test_filter_language_d7(gql, world, directory):
    assert names(await locate(gql, world.tokens["ae"], language="fr")) == ["Paris Services"]
    assert names(await locate(gql, world.tokens["ae"], language="DE")) == [
        "Berlin Cloud Select", "Munich Ops", "Beta Distribution"
    ]


async def test_filter_text_matches_name_nickname_or_city(gql, world, directory):
    assert names(await locate(gql, world.tokens["ae"], text="cloud")) == ["Berlin Cloud Select"]
    assert names(await locate(gql, world.tokens["ae"], text="westMINSTER")) == ["London Resell"]
    assert names(await locate(gql, world.tokens["ae"], text="münchen")) == ["Munich Ops"]
    # LIKE wildcards in the text are literal characters.
    assert (await locate(gql, world.tokens["ae"], text="%"))["totalCount"] == 0
    assert (await locate(gql, world.tokens["ae"], text="_"))["totalCount"] == 0


async def test_filters_combine(gql, world, directory):
    result = await locate(gql, world.tokens["ae"], region="EMEA", country="DE", types=["MSP", "DISTRIBUTOR"],
                          language="de", tracks=["OPEN"])
    assert names(result) == ["Munich Ops", "Beta Distribution"]
    assert (await locate(gql, world.tokens["ae"], region="APJ", specializations=["kubernetes"]))["totalCount"] == 0


async def test_facets_count_every_match_not_just_the_page_d7(gql, world, directory):
    result = await locate(gql, world.tokens["cm_emea"], region="EMEA", first=2)
    assert len(result["edges"]) == 2
    assert result["totalCount"] == 5
    assert result["facets"] == {
        "tracks": [{"track": "OPEN", "count": 3}, {"track": "SELECT", "count": 1},
                   {"track": "SELECT_SERVICES", "count": 1}],
        "types": [{"type": "SYSTEM_INTEGRATOR", "count": 2}, {"type": "DISTRIBUTOR", "count": 1},
                  {"type": "MSP", "count": 1}, {"type": "RESELLER", "count": 1}],
        "countries": [{"country": "DE", "count": 3}, {"country": "FR", "count": 1}, {"country": "GB", "count": 1}],
    }
    filtered = await locate(gql, world.tokens["cm_emea"], region="EMEA", types=["SYSTEM_INTEGRATOR"])
    assert filtered["facets"]["countries"] == [{"country": "DE", "count": 1}, {"country": "FR", "count": 1}]
    empty = await locate(gql, world.tokens["cm_emea"], region="PUBSEC")
    assert empty["facets"] == {"tracks": [], "types": [], "countries": []}


async def test_pagination_walks_every_match_once(gql, world, directory):
    seen, after, pages = [], None, 0
    while True:
        result = await locate(gql, world.tokens["ae"], region="EMEA", first=2, after=after)
        pages += 1
        assert result["totalCount"] == 5
        assert result["pageInfo"]["hasPreviousPage"] is (after is not None)
        seen += names(result)
        if not result["pageInfo"]["hasNextPage"]:
            break
        after = result["pageInfo"]["endCursor"]
    assert pages == 3
    assert seen == EMEA_ORDER
    beyond = await locate(gql, world.tokens["ae"], region="EMEA", first=2, after=result["pageInfo"]["endCursor"])
    assert beyond["edges"] == [] and beyond["pageInfo"]["hasNextPage"] is False
    zero = await locate(gql, world.tokens["ae"], region="EMEA", first=0)
    assert zero["edges"] == [] and zero["totalCount"] == 5 and zero["pageInfo"]["hasNextPage"] is True


async def test_near_orders_by_distance_within_radius_d7(gql, world, directory):
    berlin = (52.52, 13.40)
    result = await locate(gql, world.tokens["ae"], near={"latitude": berlin[0], "longitude": berlin[1], "radiusKm": 600})
    assert names(result) == ["Berlin Cloud Select", "Munich Ops"]
    distances = [edge["node"]["distanceKm"] for edge in result["edges"]]
    assert distances[0] == 0
    assert distances[1] == pytest.approx(haversine_km(*berlin, 48.14, 11.58), abs=0.001)
    assert 500 < distances[1] < 510
    wider = await locate(gql, world.tokens["ae"], near={"latitude": berlin[0], "longitude": berlin[1], "radiusKm": 1000})
    # Distance wins over track (Munich, OPEN, before Paris, SELECT_SERVICES); hidden ones never show (P1).
    # Partners without a location (Beta Distribution) are never "near".
    assert names(wider) == ["Berlin Cloud Select", "Munich Ops", "Paris Services", "London Resell"]
    ordered = [edge["node"]["distanceKm"] for edge in wider["edges"]]
    assert ordered == sorted(ordered)
    assert wider["facets"]["countries"] == [{"country": "DE", "count": 2}, {"country": "FR", "count": 1},
                                            {"country": "GB", "count": 1}]


async def test_near_combines_with_filters_and_pages(gql, world, directory):
    near = {"latitude": 50.0, "longitude": 8.0, "radiusKm": 1000}
    first = await locate(gql, world.tokens["ae"], near=near, types=["SYSTEM_INTEGRATOR", "MSP"], first=1)
    assert first["totalCount"] == 3 and first["pageInfo"]["hasNextPage"] is True
    rest = await locate(gql, world.tokens["ae"], near=near, types=["SYSTEM_INTEGRATOR", "MSP"], first=5,
                        after=first["pageInfo"]["endCursor"])
    everything = [*first["edges"], *rest["edges"]]
    distances = [edge["node"]["distanceKm"] for edge in everything]
    assert len(everything) == 3 and distances == sorted(distances)
    assert rest["pageInfo"]["hasNextPage"] is False


async def test_near_across_the_antimeridian(gql, world, directory):
    # Suva (178.5°E) and Apia (172.0°W) are both within 1000 km of 16°S 180°.
    result = await locate(gql, world.tokens["ae"], near={"latitude": -16.0, "longitude": 180.0, "radiusKm": 1000})
    assert names(result) == ["Suva Islands IT", "Apia Pacific IT"]
    assert result["edges"][1]["node"]["distanceKm"] == pytest.approx(haversine_km(-16.0, 180.0, -13.8, -172.0), abs=0.001)
    west = await locate(gql, world.tokens["ae"], near={"latitude": -16.0, "longitude": -179.5, "radiusKm": 1000})
    assert set(names(west)) == {"Suva Islands IT", "Apia Pacific IT"}


@pytest.mark.parametrize(
    ("input_", "field", "code"),
    [
        ({"near": {"latitude": 52.0, "longitude": 13.0, "radiusKm": 0}}, ["input", "near", "radiusKm"], "INVALID_RADIUS"),
        ({"near": {"latitude": 52.0, "longitude": 13.0, "radiusKm": -5}}, ["input", "near", "radiusKm"], "INVALID_RADIUS"),
        ({"near": {"latitude": 52.0, "longitude": 13.0, "radiusKm": 2001}}, ["input", "near", "radiusKm"], "INVALID_RADIUS"),
        ({"near": {"latitude": 90.5, "longitude": 13.0, "radiusKm": 10}}, ["input", "near", "latitude"], "INVALID_LATITUDE"),
        ({"near": {"latitude": 52.0, "longitude": -180.1, "radiusKm": 10}}, ["input", "near", "longitude"],
         "INVALID_LONGITUDE"),
        ({"first": 101}, ["input", "first"], "INVALID_PAGE_SIZE"),
        ({"first": -1}, ["input", "first"], "INVALID_PAGE_SIZE"),
        ({"country": "Germany"}, ["input", "country"], "INVALID_COUNTRY"),
        ({"language": "german"}, ["input", "language"], "INVALID_LANGUAGE"),
        ({"specializations": ["no spaces please"]}, ["input", "specializations"], "INVALID_SPECIALIZATION"),
        ({"specializations": [f"s{i}" for i in range(11)]}, ["input", "specializations"], "TOO_MANY_SPECIALIZATIONS"),
        ({"text": "x" * 101}, ["input", "text"], "TEXT_TOO_LONG"),
    ],
)
async def test_bad_input_is_refused_with_field_and_rule_d7(gql, world, input_, field, code):
    body = await gql(LOCATE, {"input": input_}, token=world.tokens["ae"], errors=True)
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == field
    assert error["extensions"]["rule"] == "D7"
    assert [v["code"] for v in error["extensions"]["violations"]] == [code]


async def test_every_bad_field_is_reported_at_once(gql, world):
    body = await gql(LOCATE, {"input": {"first": 500, "near": {"latitude": -91, "longitude": 200, "radiusKm": 0}}},
                     token=world.tokens["ae"], errors=True)
    violations = body["errors"][0]["extensions"]["violations"]
    assert {v["code"] for v in violations} == {"INVALID_LATITUDE", "INVALID_LONGITUDE", "INVALID_RADIUS",
                                               "INVALID_PAGE_SIZE"}


async def test_bad_cursor_is_refused(gql, world):
    body = await gql(LOCATE, {"input": {"after": "not-a-cursor"}}, token=world.tokens["ae"], errors=True)
    error = body["errors"][0]
    assert error["extensions"]["code"] == "INVALID_CURSOR"
    assert error["extensions"]["field"] == ["input", "after"]


async def test_needs_authentication(gql, world):
    body = await gql(LOCATE, {"input": {}}, errors=True)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_every_role_may_search_but_partner_records_stay_scoped(gql, world, directory):
    for key in ("admin", "sales_ops", "cm_amer", "ae", "sdr", "alpha_user", "beta_user"):
        assert (await locate(gql, world.tokens[key], region="EMEA"))["totalCount"] == 5
    listing = (await locate(gql, world.tokens["ae"], text="Munich"))["edges"][0]["node"]
    query = "query($id: ID!) { node(id: $id) { ... on Partner { name status } } }"
    # The listing links to the Partner node, which stays scoped: staff read it, other partners do not.
    staff = await gql(query, {"id": listing["partnerId"]}, token=world.tokens["ae"])
    assert staff["data"]["node"] == {"name": "Munich Ops", "status": "AUTHORIZED"}
    partner = await gql(query, {"id": listing["partnerId"]}, token=world.tokens["alpha_user"])
    assert partner["data"]["node"] is None


async def test_listing_partner_id_is_staff_only(gql, world, directory):
    """Issue 16: `partnerId` is documented as staff-only; partner users read null, on every
    listing (their own partner's too), and the rest of the listing still answers."""
    staff = (await locate(gql, world.tokens["cm_amer"], region="EMEA"))["edges"]
    assert staff and all(edge["node"]["partnerId"] for edge in staff)
    for token in ("alpha_user", "beta_user"):
        edges = (await locate(gql, world.tokens[token], region="EMEA"))["edges"]
        assert [e["node"]["name"] for e in edges] == [e["node"]["name"] for e in staff]
        assert {e["node"]["partnerId"] for e in edges} == {None}
    own = await gql("{ partnerLocator(input: {text: \"Alpha\"}) { nodes { name partnerId } } }",
                    token=world.tokens["alpha_user"])
    assert {n["partnerId"] for n in own["data"]["partnerLocator"]["nodes"]} <= {None}


async def test_listing_type_exposes_no_internal_fields(gql, world):
    body = await gql('{ __type(name: "PartnerListing") { fields { name } } }', token=world.tokens["ae"])
    fields = {f["name"] for f in body["data"]["__type"]["fields"]}
    assert {"status", "agreementSignedAt", "trainedEmployees", "published"}.isdisjoint(fields)


@pytest.mark.parametrize("near", [None, {"latitude": 50.0, "longitude": 8.0, "radiusKm": 2000}])
async def test_statement_count_does_not_grow_with_page_size(gql, world, directory, near):
    # The first search of a process (or after the directory changed) brings the in-memory
    # index up to date first; what is counted here is the steady state.
    await gql(LOCATE, {"input": {"first": 1}}, token=world.tokens["ae"])
    counts = []
    for first in (1, 3, 100):
        input_ = {"first": first} | ({"near": near} if near else {})
        body = await gql(LOCATE, {"input": input_}, token=world.tokens["ae"])
        assert len(body["data"]["partnerLocator"]["edges"]) == min(first, body["data"]["partnerLocator"]["totalCount"])
        counts.append(body["extensions"]["sqlStatements"])
    assert counts[0] == counts[1] == counts[2]
    assert counts[0] <= 3  # token lookup + index version check + page rows and lists


LISTING_IDS = """query($input: PartnerLocatorInput) { partnerLocator(input: $input) {
  pageInfo { endCursor } nodes { id key name } } }"""


async def test_listings_have_stable_unique_ids_for_client_caches(gql, world, directory):
    """Issue 20: a normalized cache keys a listing by `id`; the same partner has the same id in
    every search (another region, another page, near a place), and ids never collide."""
    everything = (await gql(LISTING_IDS, {"input": {"first": 100}}, token=world.tokens["ae"]))["data"]["partnerLocator"]
    by_name = {n["name"]: n["id"] for n in everything["nodes"]}
    assert len(set(by_name.values())) == len(by_name) == 10
    emea = (await gql(LISTING_IDS, {"input": {"region": "EMEA", "first": 2}}, token=world.tokens["alpha_user"]))
    page = emea["data"]["partnerLocator"]
    rest = (await gql(LISTING_IDS, {"input": {"region": "EMEA", "after": page["pageInfo"]["endCursor"]}},
                      token=world.tokens["alpha_user"]))["data"]["partnerLocator"]
    for node in page["nodes"] + rest["nodes"]:
        assert node["id"] == by_name[node["name"]]
    assert [n["name"] for n in page["nodes"] + rest["nodes"]] == EMEA_ORDER


async def test_a_cursor_of_another_search_is_refused(gql, world, directory):
    emea = (await gql(LISTING_IDS, {"input": {"region": "EMEA", "first": 2}}, token=world.tokens["ae"]))
    cursor = emea["data"]["partnerLocator"]["pageInfo"]["endCursor"]
    body = await gql(LISTING_IDS, {"input": {"region": "APJ", "after": cursor}}, token=world.tokens["ae"], errors=True)
    error = body["errors"][0]["extensions"]
    assert (error["code"], error["field"], error["reason"]) == (
        "INVALID_CURSOR", ["input", "after"], "made for another list or ordering")
