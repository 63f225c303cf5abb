"""Per-region partner lookups through `cosell_locate_partners` (D7): a region plugin wins
for its region, passes on the others, and disabling it falls back to the database. A
failing lookup falls back too: tests/plugins/test_isolation.py."""

from pathlib import Path

import pytest

from partners.people.enums import Region
from plugins.contrib import region_file_directory
from plugins.contrib.region_file_directory import RegionFileDirectory
from plugins.manager import get_plugin_manager
from server.testing import GraphQLClient
from tests.locator_directory import build_directory
from tests.plugins import async_apj_lookup

DATABASE = "plugins.builtin.locator_database"
FILE_PLUGIN = ("latam-file", region_file_directory)
LOCATE = """
query Locate($input: PartnerLocatorInput) {
  partnerLocator(input: $input) {
    totalCount source
    facets { tracks { track count } }
    edges { node { key partnerId name track city distanceKm specializations } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def locate(client, token, **input_):
    body = await GraphQLClient(client)(LOCATE, {"input": input_}, token=token)
    return body["data"]["partnerLocator"]


def names(result):
    return [edge["node"]["name"] for edge in result["edges"]]


@pytest.fixture
async def directory(world):
    return await build_directory(world)


def test_database_lookup_is_a_trylast_builtin():
    pm = get_plugin_manager()
    info = next(i for i in pm.plugin_infos() if i.name == DATABASE)
    assert info.builtin and info.hooks == ("cosell_locate_partners",)
    impl = next(i for i in pm.hook.cosell_locate_partners.get_hookimpls() if i.plugin_name == DATABASE)
    assert impl.trylast


async def test_hook_cosell_locate_partners_region_file_plugin_serves_its_region_d7(cosell_app_factory, world, directory):
    async with cosell_app_factory(extra_plugins=[FILE_PLUGIN]) as client:
        result = await locate(client, world.tokens["cm_amer"], region="LATAM")
    assert result["source"] == "latam-file"
    # From the file, in locator order (P1: SELECT tracks first); the PROSPECT and the
    # unpublished entries of the file are not listed; the database's LATAM partner is not either.
    assert names(result) == ["Paulista Software", "Andes Cloud Partners", "Bogotá Academy", "Carioca Managed Ops",
                             "Azteca Distribución"]
    assert all(edge["node"]["key"].startswith("file:") and edge["node"]["partnerId"] is None
               for edge in result["edges"])
    assert result["totalCount"] == 5
    assert result["facets"]["tracks"] == [{"track": "OPEN", "count": 3}, {"track": "SELECT", "count": 1},
                                          {"track": "SELECT_SERVICES", "count": 1}]


async def test_region_file_plugin_applies_filters_near_and_pages(cosell_app_factory, world, directory):
    async with cosell_app_factory(extra_plugins=[FILE_PLUGIN]) as client:
        token = world.tokens["alpha_user"]
        kube = await locate(client, token, region="LATAM", specializations=["kubernetes"])
        assert names(kube) == ["Andes Cloud Partners", "Carioca Managed Ops"]
        spanish_in_peru = await locate(client, token, region="LATAM", country="PE", language="es")
        assert names(spanish_in_peru) == ["Andes Cloud Partners"]
        near = await locate(client, token, region="LATAM",
                            near={"latitude": -23.55, "longitude": -46.63, "radiusKm": 500})
        assert names(near) == ["Paulista Software", "Carioca Managed Ops"]
        assert near["edges"][0]["node"]["distanceKm"] == 0
        assert 300 < near["edges"][1]["node"]["distanceKm"] < 400
        page1 = await locate(client, token, region="LATAM", first=2)
        page2 = await locate(client, token, region="LATAM", first=2, after=page1["pageInfo"]["endCursor"])
        assert names(page1) + names(page2) == ["Paulista Software", "Andes Cloud Partners", "Bogotá Academy",
                                               "Carioca Managed Ops"]
        assert page2["pageInfo"]["hasNextPage"] is True


async def test_other_regions_and_regionless_queries_fall_through_to_the_database(cosell_app_factory, world, directory):
    async with cosell_app_factory(extra_plugins=[FILE_PLUGIN]) as client:
        emea = await locate(client, world.tokens["ae"], region="EMEA")
        everywhere = await locate(client, world.tokens["ae"], first=100)
    assert emea["source"] == everywhere["source"] == DATABASE
    assert emea["totalCount"] == 5
    assert "Sao Paulo Database Reseller" in names(everywhere)
    assert not any(edge["node"]["key"].startswith("file:") for edge in everywhere["edges"])


@pytest.mark.parametrize("settings", [{"plugins_deny": ("latam-file",)}, None])
async def test_disabled_or_unregistered_region_plugin_falls_back_to_the_database(
    cosell_app_factory, world, directory, settings
):
    extra = [FILE_PLUGIN] if settings else []
    async with cosell_app_factory(extra_plugins=extra, **(settings or {})) as client:
        result = await locate(client, world.tokens["cm_amer"], region="LATAM")
    assert result["source"] == DATABASE
    assert names(result) == ["Sao Paulo Database Reseller"]
    assert result["edges"][0]["node"]["partnerId"] is not None


async def test_a_region_plugin_may_serve_another_file(cosell_app_factory, world, directory, tmp_path: Path):
    data = tmp_path / "apj.json"
    data.write_text('{"region": "APJ", "partners": [{"key": "k1", "name": "Perth File IT", "type": "RESELLER",'
                    ' "track": "OPEN", "status": "AUTHORIZED", "country": "AU"}]}')
    async with cosell_app_factory(extra_plugins=[("apj-file", RegionFileDirectory(Region.APJ, data))]) as client:
        apj = await locate(client, world.tokens["ae"], region="APJ")
        latam = await locate(client, world.tokens["ae"], region="LATAM")
    assert (apj["source"], names(apj)) == ("apj-file", ["Perth File IT"])
    assert latam["source"] == DATABASE


async def test_an_async_lookup_may_answer_with_a_coroutine(cosell_app_factory, world, directory):
    async with cosell_app_factory(extra_plugins=[("apj-api", async_apj_lookup), FILE_PLUGIN]) as client:
        apj = await locate(client, world.tokens["ae"], region="APJ", first=1)
        select = await locate(client, world.tokens["ae"], region="APJ", tracks=["OPEN"])
    assert (apj["source"], names(apj), apj["totalCount"]) == ("apj-api", ["Seoul Remote Select"], 2)
    assert names(select) == ["Osaka Remote IT"]


async def test_without_the_database_lookup_unserved_regions_say_so(cosell_app_factory, world, directory):
    async with cosell_app_factory(extra_plugins=[FILE_PLUGIN], plugins_deny=(DATABASE,)) as client:
        latam = await locate(client, world.tokens["ae"], region="LATAM")
        body = await GraphQLClient(client)(LOCATE, {"input": {"region": "EMEA"}}, token=world.tokens["ae"],
                                           errors=True)
    assert latam["source"] == "latam-file"
    assert body["errors"][0]["extensions"]["code"] == "LOCATOR_UNAVAILABLE"
    assert "EMEA" in body["errors"][0]["message"]
