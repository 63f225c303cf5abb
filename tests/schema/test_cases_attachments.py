"""Case attachments (a PO uploaded to the case, 004): base64 upload with a size limit and
allowed content types, sanitized names, files on disk under the var dir, read back only by
those who may read the case (partner users: public files of their own cases), deleted with
care, every step in the case's history. Every test runs with each store: the local disk, and
an S3-compatible bucket (a local moto server over HTTP, tests/s3.py)."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from tests.schema.cases import ATTACH, DELETE_ATTACHMENT, close, codes, picked_up
from tests.schema.leads import call, open_case

PDF = b"%PDF-1.4\n% a purchase order\n" + bytes(range(256)) * 4


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


KEY = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{32}$")


@pytest.fixture(params=["disk", "s3"])
def cosell_settings(request, cosell_settings):
    return request.getfixturevalue("s3_bucket").settings(cosell_settings) if request.param == "s3" else cosell_settings


@pytest.fixture
def stored(cosell_settings, request):
    """The stored files by their key under the store's root (`<2 hex>/<32 hex>` in both
    stores): the var dir lives as long as the test session, each test has a bucket of its own."""
    def snapshot() -> dict[str, bytes]:
        if cosell_settings.attachments_s3_bucket:
            prefix = cosell_settings.attachments_s3_prefix
            return {k[len(prefix):]: data for k, data in request.getfixturevalue("s3_bucket").objects(prefix).items()}
        root = cosell_settings.attachments_dir
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    return snapshot


READ = """query($id: ID!) { node(id: $id) { ... on Case { attachments { id fileName internal contentBase64 }
    history { event reason } } } }"""


async def test_a_partner_uploads_a_po_to_its_case_and_only_those_who_read_the_case_read_it(gql, world, stored):
    case = await open_case(gql, world)
    before = stored()
    uploaded = await call(gql, world, ATTACH, "alpha_user", id=case["id"], fileName="../../etc/PO 4711.pdf",
                          contentType="application/pdf", contentBase64=b64(PDF))
    assert uploaded["errors"] == []
    attachment = uploaded["attachment"]
    assert (attachment["fileName"], attachment["size"], attachment["sha256"]) == (
        "PO 4711.pdf", len(PDF), hashlib.sha256(PDF).hexdigest())
    assert base64.b64decode(attachment["contentBase64"]) == PDF
    new = {p: data for p, data in stored().items() if p not in before}
    assert list(new.values()) == [PDF]  # under the var dir or the bucket's prefix, by a random key
    assert all(KEY.match(key) for key in new)
    internal = await call(gql, world, ATTACH, "advocate", id=case["id"], fileName="notes.txt",
                          contentType="text/plain", contentBase64=b64(b"margin notes"), internal=True)
    assert internal["errors"] == []

    alpha = (await gql(READ, {"id": case["id"]}, token=world.tokens["alpha_user"]))["data"]["node"]
    assert [(a["fileName"], a["internal"]) for a in alpha["attachments"]] == [("PO 4711.pdf", False)]
    assert alpha["history"] == []
    staff = (await gql(READ, {"id": case["id"]}, token=world.tokens["advocate"]))["data"]["node"]
    assert [a["fileName"] for a in staff["attachments"]] == ["PO 4711.pdf", "notes.txt"]
    assert [(h["event"], h["reason"]) for h in staff["history"]] == [
        ("OPENED", ""), ("ATTACHED", "PO 4711.pdf"), ("ATTACHED", "notes.txt")]
    beta = await gql(READ, {"id": case["id"]}, token=world.tokens["beta_user"])
    assert beta["data"]["node"] is None
    assert codes(await call(gql, world, ATTACH, "beta_user", id=case["id"], fileName="x.pdf",
                            contentType="application/pdf", contentBase64=b64(PDF))) == [("NOT_FOUND", None)]
    assert codes(await call(gql, world, ATTACH, "alpha_user", id=case["id"], fileName="x.pdf",
                            contentType="application/pdf", contentBase64=b64(PDF), internal=True)) == [
        ("INTERNAL_NOT_ALLOWED", "D9")]
    # Deleting: not another partner, not a partner colleague who did not upload it; the uploader may.
    assert codes(await call(gql, world, DELETE_ATTACHMENT, "beta_user", id=attachment["id"])) == [("NOT_FOUND", None)]
    deleted = await call(gql, world, DELETE_ATTACHMENT, "alpha_user", id=attachment["id"])
    assert deleted == {"deletedId": attachment["id"], "errors": []}
    assert [data for p, data in stored().items() if p not in before] == [b"margin notes"]


async def test_uploads_are_refused_when_too_large_of_another_type_empty_or_not_base64(gql, world, cosell_settings,
                                                                                       stored):
    case = await open_case(gql, world)
    before = stored()

    async def attach(data: bytes | str, content_type: str = "application/pdf") -> list:
        content = data if isinstance(data, str) else b64(data)
        return codes(await call(gql, world, ATTACH, "alpha_user", id=case["id"], fileName="po.pdf",
                                contentType=content_type, contentBase64=content))

    assert await attach(b"x" * (cosell_settings.attachment_max_bytes + 1)) == [("FILE_TOO_LARGE", None)]
    assert await attach(b"MZ...", "application/x-msdownload") == [("CONTENT_TYPE_NOT_ALLOWED", None)]
    assert await attach(b"") == [("EMPTY_FILE", None)]
    assert await attach("not base64!") == [("INVALID_BASE64", None)]
    assert stored() == before


async def test_a_closed_case_takes_no_file_and_keeps_its_files(gql, world, stored):
    case = await picked_up(gql, world)
    first = await call(gql, world, ATTACH, "advocate", id=case["id"], fileName="po.pdf",
                       contentType="application/pdf", contentBase64=b64(PDF))
    await close(gql, world, case["id"])
    before = stored()
    after = await call(gql, world, ATTACH, "advocate", id=case["id"], fileName="po.pdf",
                       contentType="application/pdf", contentBase64=b64(PDF))
    assert codes(after) == [("CASE_CLOSED", "D10")]
    assert stored() == before  # stored before the transaction, removed again when it refused
    kept = await call(gql, world, DELETE_ATTACHMENT, "advocate", id=first["attachment"]["id"])
    assert codes(kept) == [("CASE_CLOSED", "D10")]
    assert (await call(gql, world, DELETE_ATTACHMENT, "admin", id=first["attachment"]["id"]))["errors"] == []
