"""The demo world is believable and usable: `make run` serves it."""

from partners.demo import is_empty, load_demo
from partners.enums import PartnerTrack, PartnerType, Region, Role
from partners.tables import Account, Partner


async def test_demo_world(gql):
    assert await is_empty()
    logins = await load_demo()
    assert not await is_empty()

    partners = await Partner.select(Partner.partner_type, Partner.track, Partner.region)
    assert 190 <= len(partners) <= 210
    assert {p["partner_type"] for p in partners} == {t.value for t in PartnerType}
    assert {p["track"] for p in partners} == {t.value for t in PartnerTrack}
    assert {p["region"] for p in partners} == {r.value for r in Region}

    accounts = await Account.select(Account.region, Account.parent)
    assert {a["region"] for a in accounts} == {r.value for r in Region}
    assert any(a["parent"] is not None for a in accounts), "some accounts have parents"

    assert {login.role for login in logins} == set(Role)
    for login in logins:
        body = await gql("{ viewer { email role } }", token=login.token)
        assert body["data"]["viewer"] == {"email": login.email, "role": login.role.value}
