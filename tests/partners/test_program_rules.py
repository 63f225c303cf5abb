"""Pure rules of the partner program (#18): P2 trained people, P1 tracks and status moves,
who may invite whom, and the application rate limit."""

from datetime import date

from partners.infra.budgets import client_network
from partners.people.enums import PartnerStatus, PartnerTrack, Region, Role
from partners.people.principal import Principal
from partners.program.eligibility import eligibility_violations, is_current, trained_people
from partners.program.lifecycle import field_violations, manager_violation, status_violation, track_violations
from partners.program.members import invitation_violations

TODAY = date(2026, 12, 2)


def _training(email: str, course: str = "PARTNER_FOUNDATIONS", expires_on: date | None = None) -> dict:
    return {"person_email": email, "course": course, "expires_on": expires_on}


def test_p2_trained_people_count_current_foundations_completions_once_per_person():
    trainings = [_training("a@x.test"), _training("A@x.test", expires_on=date(2027, 1, 1)),
                 _training("b@x.test", expires_on=date(2026, 12, 1)), _training("c@x.test", "SALES_ACCREDITATION"),
                 _training("d@x.test", expires_on=TODAY)]
    assert trained_people(trainings, TODAY) == 2  # a (twice) and d (expires today: still valid)
    assert is_current(None, TODAY) and not is_current(date(2026, 12, 1), TODAY)


def test_p1_p2_eligibility_reasons():
    assert eligibility_violations({"status": "AUTHORIZED", "agreement_signed_at": TODAY, "trained_employees": 1}) == []
    reasons = eligibility_violations({"status": "PROSPECT", "agreement_signed_at": None, "trained_employees": 0})
    assert [(v.code, v.rule) for v in reasons] == [
        ("PARTNER_NOT_AUTHORIZED", "P1"), ("AGREEMENT_NOT_SIGNED", "P2"), ("NO_TRAINED_EMPLOYEE", "P2")]


def test_p1_tracks_by_invitation_and_status_moves():
    authorized = {"track": "OPEN", "status": "AUTHORIZED"}
    assert track_violations(authorized, PartnerTrack.SELECT, "Invited") == []
    assert [v.code for v in track_violations({"track": "OPEN", "status": "PROSPECT"}, PartnerTrack.SELECT, "")] == [
        "REASON_REQUIRED", "PARTNER_NOT_AUTHORIZED"]
    assert [v.code for v in track_violations({"track": "SELECT", "status": "DENIED"}, PartnerTrack.OPEN, "x")] == []
    assert [v.code for v in track_violations(authorized, PartnerTrack.OPEN, "x")] == ["NO_CHANGE"]
    assert status_violation(PartnerStatus.PROSPECT, PartnerStatus.AUTHORIZED) is None
    assert status_violation(PartnerStatus.DENIED, PartnerStatus.AUTHORIZED) is None
    assert status_violation(PartnerStatus.AUTHORIZED, PartnerStatus.AUTHORIZED).rule == "P1"
    assert status_violation(PartnerStatus.DENIED, PartnerStatus.DENIED).code == "INVALID_STATUS_CHANGE"


def test_p1_program_managers_are_admins_and_channel_managers_of_the_region():
    cm = Principal(1, "cm@x.test", "CM", Role.CHANNEL_MANAGER, regions=(Region.EMEA,))
    admin = Principal(2, "a@x.test", "A", Role.ADMIN)
    assert manager_violation(cm, Region.EMEA) is None and manager_violation(admin, Region.APJ) is None
    assert manager_violation(cm, Region.AMER).code == "NOT_REGION_MANAGER"


def test_partner_fields_formats():
    assert field_violations({"name": "Ok", "country": "DE", "nickname": "OK-1"}) == []
    assert {v.code for v in field_violations({"name": "x" * 201, "country": "de", "nickname": "a b"})} == {
        "TOO_LONG", "INVALID_COUNTRY", "INVALID_NICKNAME"}


def test_partner_admins_invite_only_partner_side_users_of_their_own_partner():
    partner_admin = Principal(3, "pa@x.test", "PA", Role.PARTNER_ADMIN, partner_id=7)
    assert partner_admin.is_partner_user and not partner_admin.is_staff
    assert invitation_violations(partner_admin, Role.PARTNER_USER, None) == []
    assert invitation_violations(partner_admin, Role.PARTNER_ADMIN, 7) == []
    assert invitation_violations(partner_admin, Role.PARTNER_USER, 8)[0].code == "NOT_FOUND"
    assert invitation_violations(partner_admin, Role.SDR, None)[0].code == "ROLE_NOT_ALLOWED"
    assert invitation_violations(Principal(2, "a@x.test", "A", Role.ADMIN), Role.SDR, None) == []


def test_the_application_limit_counts_an_ipv4_address_or_an_ipv6_64():
    """Issue 33 (11): each IPv6 /128 is not a new budget; a subscriber's /64 is one."""
    assert client_network("203.0.113.7") == "203.0.113.7"
    assert client_network("2001:db8:1:2:aaaa::1") == client_network("2001:db8:1:2:ffff:1:2:3") == "2001:db8:1:2::/64"
    assert client_network("2001:db8:1:3::1") == "2001:db8:1:3::/64"
    assert client_network("::ffff:203.0.113.7") == "203.0.113.7"
    assert client_network(None) == "unknown" and client_network("testclient") == "testclient"
