"""Email to case (D15) through real SMTP: smtplib to the aiosmtpd receiver on 127.0.0.1, then
what GraphQL shows. New cases (contact match and region routing, the SMB operations queue,
a partner user's Partner Opp case), threads (owner notified, closed cases stay closed,
"#advocate"), attachments, duplicates, hostile input, forged threads, SMTP-level refusals."""

from __future__ import annotations

import base64

import pytest_asyncio

from server.mail_receiver import CaseMailHandler, MailReceiver, inbound_from_settings
from server.settings import Settings
from server.testing import global_id
from tests.schema.cases import PICK_UP_CASE, close
from tests.schema.leads import ok
from tests.schema.sales import create_account, create_contact
from tests.server.email_to_case import ADDRESS, audit_rows, cases, delivered, emails_to, message, send

MAX_BYTES = 200_000


@pytest_asyncio.fixture
async def receiver(cosell_settings, world):
    settings = Settings.from_env(**{**cosell_settings.__dict__, "mail_in_addresses": (ADDRESS,), "mail_in_port": 0,
                                    "mail_in_max_bytes": MAX_BYTES, "attachment_max_bytes": 50_000})
    server = MailReceiver(settings)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def _emea_contact(gql, world) -> tuple[str, str]:
    account = await create_account(gql, world, name="Globex GmbH", region="EMEA", country="DE")
    return account, await create_contact(gql, world, account, "Pat Buyer")  # pat@acme.test


async def test_d15_a_new_email_opens_a_case_matched_to_the_contact_and_routed_by_its_region(gql, world, receiver):
    account, contact = await _emea_contact(gql, world)
    answer = await delivered(receiver.port, message("Pat Buyer <PAT@Acme.TEST>", "Need 5 more seats",
                                                    "Can we add 5 seats before renewal?"))
    assert answer.startswith("2.0.0 Case #")
    [case] = await cases(gql, world, origin="EMAIL")
    assert (case["subject"], case["description"], case["type"], case["status"]) == (
        "Need 5 more seats", "Can we add 5 seats before renewal?", "GENERAL", "OPEN")
    assert (case["account"]["id"], case["contact"]["id"], case["region"], case["unmatched"]) == (
        account, contact, "EMEA", False)
    assert [c["id"] for c in await cases(gql, world, region="EMEA")] == [case["id"]]
    assert await cases(gql, world, region="AMER") == []
    [stored] = case["messages"]
    assert (stored["direction"], stored["fromAddress"], stored["internal"]) == ("INBOUND", "pat@acme.test", False)
    [audit] = await audit_rows("emailToCase")
    assert (audit["actor"], audit["actor_user_id"], audit["result"]) == ("system:email-to-case", None, "OK")


async def test_d15_an_unknown_sender_lands_in_the_smb_operations_queue(gql, world, receiver):
    await delivered(receiver.port, message("Nobody Known <new@startup.test>", "Pricing?", "How much is Premium?"))
    [case] = await cases(gql, world, unmatched=True)
    assert (case["leadEmail"], case["account"], case["region"], case["origin"]) == (
        "new@startup.test", None, None, "EMAIL")
    assert await cases(gql, world, unmatched=False) == []
    [note] = await emails_to("sales_ops@cosell.test")  # SMB operations route it
    assert note["subject"].startswith(f"[case #{_pk(case['id'])}] Email case to route")


async def test_d9_d15_a_partner_users_email_opens_a_partner_opp_case_for_their_partner(gql, world, receiver):
    await delivered(receiver.port, message("alpha_user@cosell.test", "Deal at Hooli", "They want 40 seats."))
    [case] = await cases(gql, world)
    assert (case["subject"], case["type"], case["partner"]["id"]) == (
        "Partner Opp: Deal at Hooli", "PARTNER_OPP", global_id("Partner", world.partners["alpha"]))
    [mine] = await cases(gql, world, "alpha_user")
    assert [m["text"] for m in mine["messages"]] == ["They want 40 seats."]
    assert mine["messages"][0]["problems"] is None  # staff only
    assert await cases(gql, world, "beta_user") == []


def _pk(case_id: str) -> int:
    return int(base64.b64decode(case_id).decode().rpartition(":")[2])


async def test_d15_replies_join_their_case_and_notify_its_owner(gql, world, receiver):
    await _emea_contact(gql, world)
    first = message("pat@acme.test", "Quote please", "Send a quote.")
    await delivered(receiver.port, first)
    [case] = await cases(gql, world)
    await ok(gql, world, PICK_UP_CASE, "advocate", key="case", id=case["id"])
    await delivered(receiver.port, message("pat@acme.test", "Re: Quote please", "For 12 months.",
                                           in_reply_to=first["Message-ID"]))
    tag = f"[case #{_pk(case['id'])}]"
    await delivered(receiver.port, message("pat@acme.test", f"Also {tag}", "And a PO number."))
    [case] = await cases(gql, world)
    assert [m["text"] for m in case["messages"]] == ["Send a quote.", "For 12 months.", "And a PO number."]
    notes = await emails_to("advocate@cosell.test")
    assert [n["subject"] for n in notes] == [f"{tag} New email on case: Quote please"] * 2
    assert "For 12 months." in notes[0]["text"]


async def test_d15_a_reply_to_a_closed_case_attaches_and_notifies_but_does_not_reopen(gql, world, receiver):
    await _emea_contact(gql, world)
    first = message("pat@acme.test", "Invoice copy", "Please resend the invoice.")
    await delivered(receiver.port, first)
    [case] = await cases(gql, world)
    await ok(gql, world, PICK_UP_CASE, "advocate", key="case", id=case["id"])
    closed = await close(gql, world, case["id"])
    assert closed["errors"] == []
    await delivered(receiver.port, message("pat@acme.test", "Re: Invoice copy", "Thanks! One more question.",
                                           in_reply_to=first["Message-ID"]))
    [case] = await cases(gql, world)
    assert case["status"] == "CLOSED_RESOLVED"
    assert len(case["messages"]) == 2
    [note] = await emails_to("advocate@cosell.test")
    assert "New email on closed case" in note["subject"] and "stays closed" in note["text"]


async def test_d15_attachments_are_kept_through_the_case_store_and_refused_ones_recorded(gql, world, receiver):
    pdf = b"%PDF-1.4 purchase order 4711"
    mail = message("pat@acme.test", "PO attached", "Our PO.")
    mail.add_attachment(pdf, maintype="application", subtype="pdf", filename="../PO 4711.pdf")
    mail.add_attachment(b"MZ\x90\x00", maintype="application", subtype="x-msdownload", filename="setup.exe")
    mail.add_attachment(b"%PDF" + b"x" * 60_000, maintype="application", subtype="pdf", filename="big.pdf")
    await delivered(receiver.port, mail)
    [case] = await cases(gql, world)
    [kept] = case["attachments"]
    assert (kept["fileName"], kept["contentType"], kept["uploadedBy"]) == ("PO 4711.pdf", "application/pdf", None)
    assert base64.b64decode(kept["contentBase64"]) == pdf
    [stored] = case["messages"]
    assert [a["fileName"] for a in stored["attachments"]] == ["PO 4711.pdf"]
    refused = {r["fileName"]: r["reason"] for r in stored["refusedAttachments"]}
    assert refused == {"setup.exe": "CONTENT_TYPE_NOT_ALLOWED", "big.pdf": "FILE_TOO_LARGE"}


async def test_d15_a_message_delivered_twice_is_stored_once(gql, world, receiver):
    mail = message("pat@acme.test", "Twice", "Same message.")
    first = await delivered(receiver.port, mail)
    again = await delivered(receiver.port, mail)
    assert first.split()[0:2] == again.split()[0:2] and again.endswith("(duplicate)")
    without_id = b"From: someone@else.test\r\nTo: " + ADDRESS.encode() + b"\r\nSubject: no id\r\n\r\nHi\r\n"
    await delivered(receiver.port, without_id)
    await delivered(receiver.port, without_id)
    found = await cases(gql, world)
    assert sorted(len(c["messages"]) for c in found) == [1, 1]
    assert any(c["messages"][0]["messageId"].endswith("@hash.cosell.invalid>") for c in found)


async def test_d15_hostile_messages_land_without_crashing_the_receiver(gql, world, receiver):
    html = message("h@x.test", "HTML only", "ignored")
    html.set_content("<html><head><style>p{}</style></head><body><p>Hi <b>team</b></p><script>alert(1)</script>"
                     "<img src=x onerror=alert(2)>&lt;tag&gt;</body></html>", subtype="html")
    await delivered(receiver.port, html)
    nested = (b"From: n@x.test\r\nSubject: nested\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n"
              + b"".join(b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (i, i + 1)
                         for i in range(2000)))
    await delivered(receiver.port, nested)
    broken = (b"From: =?x-unknown?B?!!!?= <b@x.test>\r\nSubject: =?utf-8?B?broken\r\nDate: yesterday\r\n"
              b"Message-ID: <\x00bad id>\r\nContent-Type: multipart/mixed; boundary=\"zz\"\r\n\r\n--zz\r\n"
              b"Content-Type: text/plain; charset=no-such-charset\r\nContent-Transfer-Encoding: base64\r\n\r\n"
              b"%%%not base64\xff\xfe\r\n--zz")  # no closing boundary
    await delivered(receiver.port, broken)
    await delivered(receiver.port, b"\xff\xfe\x00\x00 not a message at all")
    found = {c["subject"]: c for c in await cases(gql, world)}
    text = found["HTML only"]["description"]
    assert "Hi team" in text and "<tag>" in text and "alert" not in text and "<b>" not in text
    assert found["nested"]["messages"][0]["problems"]
    assert len(found) == 4 and all("\x00" not in c["description"] for c in found.values())
    await delivered(receiver.port, message("pat@acme.test", "still alive"))  # the receiver still answers


async def test_d15_a_forged_thread_from_an_unrelated_sender_opens_a_case_of_its_own(gql, world, receiver):
    await _emea_contact(gql, world)
    first = message("pat@acme.test", "Private matter", "Our numbers.")
    await delivered(receiver.port, first)
    [victim] = await cases(gql, world)
    tag = f"[case #{_pk(victim['id'])}]"
    await delivered(receiver.port, message("mallory@evil.test", f"Re: Private matter {tag}", "Let me in.",
                                           in_reply_to=first["Message-ID"]))
    await delivered(receiver.port, message("mallory@evil.test", "Same id", "Reused id.",
                                           message_id=first["Message-ID"]))
    found = {c["id"]: c for c in await cases(gql, world)}
    assert [m["text"] for m in found[victim["id"]]["messages"]] == ["Our numbers."]
    others = [c for c in found.values() if c["id"] != victim["id"]]
    assert len(others) == 2 and all(c["unmatched"] for c in others)
    reused = next(c for c in others if c["subject"] == "Same id")["messages"][0]
    assert reused["messageId"] != first["Message-ID"] and any("already used" in p for p in reused["problems"])


async def test_d15_staff_replies_are_internal_and_a_renewal_managers_advocate_tag_escalates(gql, world, receiver):
    first = message("alpha_user@cosell.test", "Renewal risk", "Customer may churn.")
    await delivered(receiver.port, first)
    [case] = await cases(gql, world)
    tag = f"[case #{_pk(case['id'])}]"
    await delivered(receiver.port, message("ae@cosell.test", f"Re: Renewal risk {tag} #advocate", "Please help."))
    [case] = await cases(gql, world)
    assert case["escalated"] is True
    assert [m["internal"] for m in case["messages"]] == [False, True]
    [partner_view] = await cases(gql, world, "alpha_user")
    assert [m["text"] for m in partner_view["messages"]] == ["Customer may churn."]


async def test_d15_smtp_refuses_foreign_recipients_and_oversized_messages(gql, world, receiver):
    foreign = await send(receiver.port, message("pat@acme.test", "x"), rcpts=["someone@else.test"])
    assert foreign["rcpt"][0][0] == 550 and "data" not in foreign
    assert int(foreign["size"]) == MAX_BYTES
    announced = await send(receiver.port, message("pat@acme.test", "x"), size=MAX_BYTES + 1)
    assert announced["mail"][0] == 552
    big = message("pat@acme.test", "big", ("y" * 70 + "\n") * (MAX_BYTES // 70 + 10))
    assert (await send(receiver.port, big))["data"][0] == 552
    assert await cases(gql, world) == []


async def test_d15_allowed_sender_domains_and_a_failure_answers_451_with_nothing_stored(
        gql, world, cosell_settings):
    settings = Settings.from_env(**{**cosell_settings.__dict__, "mail_in_addresses": (ADDRESS,), "mail_in_port": 0,
                                    "mail_in_sender_domains": ("acme.test",)})

    class BrokenStore:
        async def put(self, key, data):
            raise OSError("disk full")

        async def get(self, key):
            return None

        async def delete(self, key):
            return None

    inbound = inbound_from_settings(settings)
    broken = MailReceiver(settings, CaseMailHandler(settings, type(inbound)(
        store=BrokenStore(), limits=inbound.limits, sender_domains=inbound.sender_domains)))
    await broken.start()
    try:
        refused = await send(broken.port, message("x@other.test", "hi"))
        assert refused["mail"][0] == 550
        mail = message("pat@acme.test", "with file")
        mail.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="po.pdf")
        failed = await send(broken.port, mail)
        assert failed["data"][0] == 451 and b"request id" in failed["data"][1]
        assert await cases(gql, world) == []
    finally:
        await broken.stop()


async def test_d15_cosell_mail_ingest_feeds_one_message_through_the_same_path(
        gql, world, cosell_database_url, cosell_var_dir):
    import os
    import subprocess
    import sys

    from server.settings import PROJECT_ROOT

    raw = message("pat@acme.test", "Via fetchmail", "Hello from IMAP.").as_bytes()
    env = {**os.environ, "DATABASE_URL": cosell_database_url, "COSELL_VAR_DIR": str(cosell_var_dir),
           "COSELL_LOG_JSON": "0"}

    def ingest() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "server.cli", "mail", "ingest", "-"], input=raw, cwd=PROJECT_ROOT,
                              env=env, capture_output=True, timeout=120)

    first, again = ingest(), ingest()
    assert first.returncode == 0, first.stderr
    assert first.stdout.decode().startswith("CASE_OPENED case #")
    assert again.returncode == 0 and again.stdout.decode().startswith("DUPLICATE case #")
    [case] = await cases(gql, world)
    assert (case["subject"], case["description"]) == ("Via fetchmail", "Hello from IMAP.")
    refused = subprocess.run([sys.executable, "-m", "server.cli", "mail", "ingest", "-"], input=raw,
                             cwd=PROJECT_ROOT, env={**env, "COSELL_MAIL_IN_SENDER_DOMAINS": "other.test"},
                             capture_output=True, timeout=120)
    assert refused.returncode == 77
