"""Pure rules of webhooks (issue 20): the signature header and endpoint input checks."""

from partners.webhooks import signing
from partners.webhooks.endpoints import secret_violations, url_violations
from partners.webhooks.events import SOURCES, EventCategory

SECRET = "whsec_test-secret-0123456789abcdef"


def test_a_signature_verifies_only_the_same_body_with_the_same_secret_in_time():
    body = b'{"id":"evt_1"}'
    header = signing.header(SECRET, body, timestamp=1_800_000_000)
    assert header.startswith("t=1800000000,v1=")
    assert signing.verify(SECRET, body, header, now=1_800_000_010)
    assert not signing.verify(SECRET, body + b"\n", header, now=1_800_000_010)
    assert not signing.verify("whsec_other-secret-0123456789abcdef", body, header, now=1_800_000_010)
    assert not signing.verify(SECRET, body, header, now=1_800_000_000 + 301)  # a replay, too late
    for broken in ("", "v1=abc", "t=abc,v1=def", f"t=1800000000,t=1800000001,{header.split(',')[1]}"):
        assert not signing.verify(SECRET, body, broken, now=1_800_000_000)


def test_a_second_v1_for_a_rotated_secret_is_accepted():
    body = b"{}"
    old = signing.header("whsec_old-secret-0123456789abcdef", body, timestamp=1_800_000_000)
    both = old + ",v1=" + signing.signature(SECRET, 1_800_000_000, body)
    assert signing.verify(SECRET, body, both, now=1_800_000_000)


def test_endpoint_urls_are_absolute_http_urls_without_credentials():
    assert url_violations("https://crm.partner.example/hooks?x=1") == []
    assert url_violations("http://127.0.0.1:8080/hooks") == []  # refused at delivery unless allowed
    for bad in ("", "crm.partner.example/hooks", "ftp://crm.example/x", "https://u:p@crm.example/",
                "https://crm.example:99999/", "https://" + "a" * 2000 + ".example"):
        assert [v.code for v in url_violations(bad)] == ["INVALID_URL"], bad


def test_given_secrets_are_long_and_printable():
    assert secret_violations("x" * 24) == []
    for bad in ("x" * 23, "x" * 101, " " + "x" * 30, "x" * 30 + "\n"):
        assert [v.code for v in secret_violations(bad)] == ["INVALID_SECRET"], repr(bad)


def test_every_event_source_names_one_partner_and_a_category():
    samples = {
        "deal_registration_event": {"event": "APPROVED", "registration": {
            "id": 4, "partner_id": 7, "status": "APPROVED", "type": "RESALE", "opportunity_id": None,
            "expires_at": None, "reason": ""}},
        "cosell_task_event": {"event": "COMPLETED", "partner_id": 7, "task": {
            "id": 9, "plan_id": 3, "title": "POC", "owner_side": "PARTNER", "status": "DONE",
            "due_date": "2030-02-01"}},
    }
    assert set(samples) <= set(SOURCES)
    for kind, payload in samples.items():
        event = SOURCES[kind](payload)
        assert event.partner_id == 7 and isinstance(event.category, EventCategory)
        assert event.type.split(".")[1] == payload["event"].lower()
