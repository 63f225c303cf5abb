"""D15: the email parser on its own (pure): headers read defensively, HTML made plain text,
bounded MIME walking, ids for threads and deduplication."""

from __future__ import annotations

from email.message import EmailMessage

from partners.cases.email.html_text import html_to_text
from partners.cases.email.parse import MAX_DEPTH, TEXT_MAX, parse


def test_d15_html_becomes_plain_text_without_tags_scripts_or_styles():
    html = ("<html><head><title>t</title><style>b{}</style></head><body><h1>Quote</h1><p>5 &amp; 6 "
            "<a href='javascript:x'>seats</a></p><script>steal()</script><ul><li>one</li><li>two</li></ul>"
            "&lt;script&gt;</body></html>")
    assert html_to_text(html) == "Quote\n\n5 & 6 seats\n\n- one\n- two\n<script>"


def test_d15_the_text_part_wins_and_html_only_is_converted():
    mail = EmailMessage()
    mail["From"] = '"Pat, Buyer" <Pat@Acme.TEST>'
    mail["Subject"] = "=?utf-8?q?Gr=C3=BC=C3=9Fe?="
    mail["Message-ID"] = "<abc@acme.test>"
    mail["In-Reply-To"] = "<one@x>"
    mail["References"] = "<zero@x> <one@x>"
    mail["Date"] = "Mon, 07 Dec 2026 09:00:00 +0100"
    mail.set_content("plain body")
    mail.add_alternative("<p>html body</p>", subtype="html")
    parsed = parse(mail.as_bytes())
    assert (parsed.from_address, parsed.from_name, parsed.subject, parsed.text) == (
        "pat@acme.test", "Pat, Buyer", "Grüße", "plain body")
    assert (parsed.message_id, parsed.in_reply_to, parsed.references) == ("<abc@acme.test>", "<one@x>",
                                                                          ("<one@x>", "<zero@x>"))
    assert parsed.sent_at.isoformat() == "2026-12-07T09:00:00+01:00"


def test_d15_nesting_parts_and_text_are_bounded():
    inner = EmailMessage()
    inner.set_content("deep text")
    for _ in range(MAX_DEPTH + 3):
        outer = EmailMessage()
        outer.make_mixed()
        outer.attach(inner)
        inner = outer
    parsed = parse(inner.as_bytes())
    assert parsed.text == "" and any("nesting" in p for p in parsed.problems)
    long = parse(b"From: a@b.test\r\n\r\n" + b"x" * (TEXT_MAX + 5))
    assert len(long.text) == TEXT_MAX and any("cut" in p for p in long.problems)


def test_d15_hostile_headers_never_raise_and_never_carry_nul_or_raw_bytes():
    raw = (b"From: \xff\xfe <\x00evil@x.test>, second@y.test\r\nSubject: a\x00b\r\n =?bogus?Q?x?=\r\n"
           b"Message-ID: <has space@x> <ok@x>\r\nAuto-Submitted: auto-replied\r\n\r\n\xff body")
    parsed = parse(raw)
    assert parsed.from_address == "evil@x.test"  # the first usable address, control characters dropped
    assert "\x00" not in parsed.subject and "\x00" not in parsed.text
    assert parsed.message_id == "<ok@x>" and parsed.auto_submitted
    assert parse(b"").from_address == "" and parse(b"").message_id == ""


def test_d15_a_message_without_message_id_gets_the_same_hash_id_each_time():
    raw = b"From: a@b.test\r\nSubject: hi\r\nReceived: by one\r\n\r\nbody"
    again = b"Received: by another hop\r\n" + raw
    assert parse(raw).hashed_id() == parse(again).hashed_id()
    assert parse(raw).hashed_id() != parse(raw.replace(b"body", b"other")).hashed_id()
    assert parse(raw).hashed_id().endswith("@hash.cosell.invalid>")
