"""The locator answers from an in-memory index; every directory write committed before a
search shows in it (D7, P1), whoever wrote it and however many indexes a database has."""

import sqlite3

import pytest

from partners.infra.db import current_engine
from partners.infra.engines import is_postgres_url
from partners.locator.search import build_query
from partners.people.enums import PartnerStatus, PartnerTrack, Region
from partners.people.tables import Partner, PartnerLanguage, PartnerRegionServed, PartnerSpecialization
from plugins.builtin import locator_directory
from plugins.builtin.locator_directory import Directory
from tests.locator_directory import Listed, build_directory, list_partner
from tests.schema.test_locator import EMEA_ORDER, LOCATE, locate, names


@pytest.fixture
async def directory(world):
    return await build_directory(world)


async def test_status_and_published_changes_show_at_the_next_search_p1(gql, world, directory):
    assert names(await locate(gql, world.tokens["ae"], region="EMEA")) == EMEA_ORDER
    await Partner.update({Partner.status: PartnerStatus.PROSPECT.value}).where(Partner.id == directory["Munich Ops"])
    await Partner.update({Partner.published: True}).where(Partner.id == directory["Unpublished Select"])
    result = await locate(gql, world.tokens["ae"], region="EMEA")
    assert names(result) == ["Unpublished Select", "Berlin Cloud Select", "Paris Services", "London Resell",
                             "Beta Distribution"]
    assert result["totalCount"] == 5
    assert {f["type"]: f["count"] for f in result["facets"]["types"]} == {
        "RESELLER": 2, "SYSTEM_INTEGRATOR": 2, "DISTRIBUTOR": 1}


async def test_served_lists_changes_show_at_the_next_search_d7(gql, world, directory):
    assert names(await locate(gql, world.tokens["ae"], region="APJ")) == [
        "Tokyo Alliance", "Apia Pacific IT", "Suva Islands IT"]
    await PartnerRegionServed(partner=directory["Paris Services"], value=Region.APJ.value).save()
    await PartnerSpecialization.delete().where(
        (PartnerSpecialization.partner == directory["Berlin Cloud Select"])
        & (PartnerSpecialization.value == "kubernetes"))
    await PartnerLanguage.update({PartnerLanguage.value: "it"}).where(
        PartnerLanguage.partner == directory["Paris Services"])
    # SELECT_SERVICES ranks with SELECT; Paris has more engagements than Tokyo.
    assert names(await locate(gql, world.tokens["ae"], region="APJ")) == [
        "Paris Services", "Tokyo Alliance", "Apia Pacific IT", "Suva Islands IT"]
    assert "Berlin Cloud Select" not in names(await locate(gql, world.tokens["ae"], specializations=["kubernetes"]))
    assert names(await locate(gql, world.tokens["ae"], language="it")) == ["Paris Services"]
    assert (await locate(gql, world.tokens["ae"], language="fr"))["totalCount"] == 0


async def test_order_text_and_location_follow_changes_p1(gql, world, directory):
    await Partner.update({Partner.delivered_engagements: 0, Partner.name: "Zurich Resell", Partner.city: "Zürich",
                          Partner.latitude: 47.37, Partner.longitude: 8.54}).where(
        Partner.id == directory["London Resell"])
    assert names(await locate(gql, world.tokens["ae"], region="EMEA")) == [
        "Berlin Cloud Select", "Paris Services", "Munich Ops", "Beta Distribution", "Zurich Resell"]
    assert names(await locate(gql, world.tokens["ae"], text="zürich")) == ["Zurich Resell"]
    assert (await locate(gql, world.tokens["ae"], text="westminster"))["totalCount"] == 0
    near_zurich = await locate(gql, world.tokens["ae"], near={"latitude": 47.4, "longitude": 8.5, "radiusKm": 50})
    assert names(near_zurich) == ["Zurich Resell"]


async def test_new_and_deleted_partners_d7(gql, world, directory):
    await locate(gql, world.tokens["ae"], region="EMEA")
    await list_partner(Listed("Vienna Select", Region.EMEA, "AT", track=PartnerTrack.SELECT, engagements=50))
    await PartnerRegionServed.delete().where(PartnerRegionServed.partner == directory["Munich Ops"])
    await Partner.delete().where(Partner.id == directory["Berlin Cloud Select"])
    result = await locate(gql, world.tokens["ae"], region="EMEA")
    assert names(result) == ["Vienna Select", "Paris Services", "London Resell", "Beta Distribution"]
    assert {f["country"]: f["count"] for f in result["facets"]["countries"]} == {"AT": 1, "FR": 1, "GB": 1, "DE": 1}


async def test_a_write_from_another_connection_shows_d7(gql, world, directory, cosell_database_url):
    """Another worker or instance writes through its own connection; triggers record it."""
    assert names(await locate(gql, world.tokens["ae"], text="munich")) == ["Munich Ops"]
    url = cosell_database_url
    sql = "UPDATE partner SET published = false WHERE id = " + str(directory["Munich Ops"])
    if is_postgres_url(url):
        import asyncpg

        conn = await asyncpg.connect(url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()
    else:
        with sqlite3.connect(current_engine().path) as conn:
            conn.execute(sql.replace("false", "0"))
    assert (await locate(gql, world.tokens["ae"], text="munich"))["totalCount"] == 0


async def test_every_index_of_a_database_follows_its_writes_d7(world, directory):
    """Two indexes of one database (two workers, two instances) see the same writes."""
    first, second = Directory(current_engine()), Directory(current_engine())
    query = build_query(region=Region.EMEA)
    assert (await first.current()).search(query).total == (await second.current()).search(query).total == 5
    await Partner.update({Partner.status: PartnerStatus.DENIED.value}).where(Partner.id == directory["Paris Services"])
    assert (await first.current()).search(query).total == 4
    await Partner.update({Partner.status: PartnerStatus.AUTHORIZED.value}).where(
        Partner.id == directory["Paris Services"])
    await Partner.update({Partner.published: False}).where(Partner.id == directory["London Resell"])
    assert (await first.current()).search(query).total == 4
    assert (await second.current()).search(query).total == 4


async def test_many_changes_or_a_long_tail_rebuild_the_index_d7(gql, world, directory, monkeypatch):
    """Past a number of changes, or of re-listed partners, the index is rebuilt: same answers."""

    def tail() -> int:
        return locator_directory.directory().index.tail_size

    async def emea() -> list[str]:
        return names(await locate(gql, world.tokens["ae"], region="EMEA"))

    async def engagements(name: str, count: int) -> None:
        await Partner.update({Partner.delivered_engagements: count, Partner.track: "OPEN"}).where(Partner.name == name)

    monkeypatch.setattr(locator_directory, "MAX_CHANGES", 2)
    assert await emea() == EMEA_ORDER
    for count, name in enumerate(EMEA_ORDER):
        await engagements(name, 100 + count)
    assert await emea() == EMEA_ORDER[::-1]
    assert tail() == 0  # rebuilt

    monkeypatch.setattr(locator_directory, "MAX_CHANGES", 100)
    monkeypatch.setattr(locator_directory, "MAX_TAIL", 0)  # so a tenth of the index: 1
    await engagements("Beta Distribution", 0)
    assert await emea() == ["Munich Ops", "London Resell", "Paris Services", "Berlin Cloud Select", "Beta Distribution"]
    await engagements("Munich Ops", 1)
    assert await emea() == ["London Resell", "Paris Services", "Berlin Cloud Select", "Munich Ops", "Beta Distribution"]
    assert tail() == 2  # re-listed in the tail, merged into the order
    await engagements("Berlin Cloud Select", 200)
    assert await emea() == ["Berlin Cloud Select", "London Resell", "Paris Services", "Munich Ops", "Beta Distribution"]
    assert tail() == 0  # rebuilt


async def test_after_a_write_statements_still_do_not_grow_with_page_size(gql, world, directory):
    await locate(gql, world.tokens["ae"])
    counts = []
    for first in (1, 100):
        await Partner.update({Partner.delivered_engagements: first}).where(Partner.name == "Munich Ops")
        body = await gql(LOCATE, {"input": {"first": first}}, token=world.tokens["ae"])
        counts.append(body["extensions"]["sqlStatements"])
    assert counts[0] == counts[1] <= 5  # + the changed partners' rows and lists
