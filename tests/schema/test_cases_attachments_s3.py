"""Case attachments in an S3-compatible bucket (issue 34), through GraphQL and email to case,
against a local moto server spoken to over HTTP (tests/s3.py): objects keyed by random keys
under the prefix whatever the file name, the content type on the object, nothing written
when the bucket fails, the size limits of the disk store. The API tests of
test_cases_attachments.py run with this store too."""

from __future__ import annotations

import base64
import re

import pytest
import pytest_asyncio

from server.mail_receiver import MailReceiver
from server.settings import Settings
from tests.schema.cases import ATTACH, DELETE_ATTACHMENT, codes
from tests.schema.leads import call, open_case
from tests.server.email_to_case import ADDRESS, cases, delivered, message, send

PREFIX = "cosell/attachments/"
OBJECT_KEY = re.compile(r"^cosell/attachments/[0-9a-f]{2}/[0-9a-f]{32}$")
ODD_NAMES = ["../../etc/passwd", "..\\..\\boot.ini", "/abs/PO.pdf", "a\x07b\x1b[31m.pdf", "€ üñí 中文 PO.pdf",
             "%2e%2e%2fsecret.pdf", "?x=1#frag.pdf", " .hidden ", "x" * 500 + ".pdf", "", "CON.pdf",
             "s3://other-bucket/key.pdf"]


@pytest.fixture
def cosell_settings(cosell_settings, s3_bucket):
    return s3_bucket.settings(cosell_settings, prefix=PREFIX)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def test_odd_file_names_never_reach_the_object_keys_and_each_object_has_its_content_type(
        gql, world, s3_bucket):
    case = await open_case(gql, world)
    uploaded = []
    for index, name in enumerate(ODD_NAMES):
        data = f"file {index}".encode()
        payload = await call(gql, world, ATTACH, "advocate", id=case["id"], fileName=name, contentType="TEXT/Plain",
                             contentBase64=b64(data))
        assert payload["errors"] == [], (name, payload)
        uploaded.append((payload["attachment"], data))
    objects = s3_bucket.objects()
    assert len(objects) == len(ODD_NAMES) and all(OBJECT_KEY.match(key) for key in objects), sorted(objects)
    assert sorted(objects.values()) == sorted(data for _, data in uploaded)
    for attachment, data in uploaded:
        assert base64.b64decode(attachment["contentBase64"]) == data
        assert "/" not in attachment["fileName"] and "\x1b" not in attachment["fileName"]
    for key in objects:
        head = s3_bucket.client.head_object(Bucket=s3_bucket.name, Key=key)
        assert head["ContentType"] == "text/plain"
    deleted = await call(gql, world, DELETE_ATTACHMENT, "advocate", id=uploaded[0][0]["id"])
    assert deleted["errors"] == []
    assert len(s3_bucket.objects()) == len(ODD_NAMES) - 1


async def test_the_size_limits_and_refusals_in_the_transaction_leave_no_object(gql, world, s3_bucket,
                                                                               cosell_settings):
    case = await open_case(gql, world)
    too_large = b"%PDF" + b"x" * cosell_settings.attachment_max_bytes
    assert codes(await call(gql, world, ATTACH, "alpha_user", id=case["id"], fileName="po.pdf",
                            contentType="application/pdf", contentBase64=b64(too_large))) == [("FILE_TOO_LARGE", None)]
    # Refused inside the transaction, after the object was put: the object is removed again.
    assert codes(await call(gql, world, ATTACH, "beta_user", id=case["id"], fileName="po.pdf",
                            contentType="application/pdf", contentBase64=b64(b"%PDF-1.4"))) == [("NOT_FOUND", None)]
    assert s3_bucket.objects() == {}


async def test_a_bucket_that_fails_writes_nothing_and_says_so(cosell_app_factory, cosell_settings, world):
    from server.testing import GraphQLClient

    case_query = """query($id: ID!) { node(id: $id) { ... on Case { attachments { id } history { event } } } }"""
    async with cosell_app_factory(attachments_s3_bucket="cosell-no-such-bucket") as client:
        gql = GraphQLClient(client)
        case = await open_case(gql, world)
        body = await gql("""mutation($input: AttachFileToCaseInput!) { attachFileToCase(input: $input) {
            attachment { id } errors { code } } }""", {"input": {
            "id": case["id"], "fileName": "po.pdf", "contentType": "application/pdf", "contentBase64": b64(b"%PDF")}},
            token=world.tokens["alpha_user"], errors=True)
        assert body["data"] is None or body["data"]["attachFileToCase"] is None
        assert body["errors"]
        read = await gql(case_query, {"id": case["id"]}, token=world.tokens["advocate"])
        assert read["data"]["node"]["attachments"] == []
        assert [h["event"] for h in read["data"]["node"]["history"]] == ["OPENED"]


@pytest_asyncio.fixture
async def receiver(cosell_settings, world):
    settings = Settings.from_env(**{**cosell_settings.__dict__, "mail_in_addresses": (ADDRESS,), "mail_in_port": 0,
                                    "attachment_max_bytes": 50_000})
    server = MailReceiver(settings)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def test_d15_an_emails_attachments_go_to_the_bucket_within_the_same_limits(gql, world, receiver, s3_bucket):
    pdf = b"%PDF-1.4 purchase order 4711"
    mail = message("pat@acme.test", "PO attached", "Our PO.")
    mail.add_attachment(pdf, maintype="application", subtype="pdf", filename="../PO 4711.pdf")
    mail.add_attachment(b"%PDF" + b"x" * 60_000, maintype="application", subtype="pdf", filename="big.pdf")
    await delivered(receiver.port, mail)
    [case] = await cases(gql, world)
    [kept] = case["attachments"]
    assert base64.b64decode(kept["contentBase64"]) == pdf
    [(key, data)] = s3_bucket.objects().items()
    assert OBJECT_KEY.match(key) and data == pdf
    assert s3_bucket.client.head_object(Bucket=s3_bucket.name, Key=key)["ContentType"] == "application/pdf"


async def test_d15_an_email_whose_attachment_the_bucket_refuses_is_answered_451_and_nothing_lands(
        gql, world, cosell_settings):
    settings = Settings.from_env(**{**cosell_settings.__dict__, "mail_in_addresses": (ADDRESS,), "mail_in_port": 0,
                                    "attachments_s3_bucket": "cosell-no-such-bucket"})
    server = MailReceiver(settings)
    await server.start()
    try:
        mail = message("pat@acme.test", "PO attached", "Our PO.")
        mail.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="po.pdf")
        answers = await send(server.port, mail)
    finally:
        await server.stop()
    assert answers["data"][0] == 451  # the sending server retries later
    assert await cases(gql, world) == []
