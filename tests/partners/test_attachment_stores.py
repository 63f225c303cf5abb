"""The attachment stores directly (issue 34): the S3-compatible one against a local moto
server over HTTP (tests/s3.py), next to the disk store it stands in for; and the settings
that choose it."""

from __future__ import annotations

import dataclasses
import shutil
import sys

import pytest

from partners.cases.s3_store import S3Store
from partners.cases.storage import LocalDiskStore, StoreError, new_key, relative_path
from partners.cases.stores import store_for
from partners.infra.settings import Settings, SettingsError
from tests.s3 import REGION


def s3_store(bucket, prefix: str = "attachments/") -> S3Store:
    return S3Store.connect(bucket.name, prefix=prefix, endpoint_url=bucket.endpoint_url, region=REGION,
                           addressing_style="path")


async def test_put_get_delete_by_key_with_the_content_type_on_the_object(s3_bucket):
    store = s3_store(s3_bucket)
    key, data = new_key(), bytes(range(256)) * 10
    await store.put(key, data, "application/pdf")
    assert await store.get(key) == data
    object_key = f"attachments/{key[:2]}/{key}"
    assert list(s3_bucket.objects()) == [object_key]
    head = s3_bucket.client.head_object(Bucket=s3_bucket.name, Key=object_key)
    assert (head["ContentType"], head["ContentLength"]) == ("application/pdf", len(data))
    await store.delete(key)
    assert await store.get(key) is None and s3_bucket.objects() == {}
    await store.delete(key)  # deleting what is gone is no error, as on disk


async def test_a_missing_object_reads_as_none_and_an_empty_prefix_is_the_buckets_root(s3_bucket):
    store = s3_store(s3_bucket, prefix="")
    assert await store.get(new_key()) is None
    key = new_key()
    await store.put(key, b"x")
    assert list(s3_bucket.objects()) == [relative_path(key)]


@pytest.mark.parametrize("key", ["../../etc/passwd", "PO 4711.pdf", "g" * 32, "A" * 32, "ab/" + "0" * 29,
                                 "0" * 31 + "/", "", "0" * 32 + "\n", "Ａ" * 32, "0" * 33])
async def test_keys_that_new_key_did_not_make_are_refused_before_any_request(s3_bucket, tmp_path, key):
    """Object keys and paths come from `new_key` only: a file name (or anything else) never
    becomes one, on either store."""
    for store in (s3_store(s3_bucket), LocalDiskStore(tmp_path)):
        with pytest.raises(ValueError, match="not an attachment key"):
            await store.put(key, b"data", "text/plain")
        with pytest.raises(ValueError):
            await store.get(key)
        with pytest.raises(ValueError):
            await store.delete(key)
    assert s3_bucket.objects() == {} and list(tmp_path.iterdir()) == []


async def test_a_bucket_that_fails_raises_a_store_error_an_oserror_like_the_disks(s3_bucket):
    missing = dataclasses.replace(s3_bucket, name="cosell-missing-bucket")
    store = s3_store(missing)
    for call in (store.put(new_key(), b"x"), store.get(new_key())):
        with pytest.raises(StoreError, match="cosell-missing-bucket") as raised:
            await call
        assert isinstance(raised.value, OSError)


async def test_moving_from_disk_to_s3_is_a_copy_with_the_same_keys(s3_bucket, tmp_path):
    disk = LocalDiskStore(tmp_path)
    keys = [new_key() for _ in range(3)]
    for index, key in enumerate(keys):
        await disk.put(key, f"file {index}".encode())
    for path in tmp_path.rglob("*"):  # what `aws s3 cp --recursive` / `rclone copy` do
        if path.is_file():
            key = "attachments/" + path.relative_to(tmp_path).as_posix()
            s3_bucket.client.upload_file(str(path), s3_bucket.name, key)
    shutil.rmtree(tmp_path)
    s3 = s3_store(s3_bucket)
    assert [await s3.get(key) for key in keys] == [b"file 0", b"file 1", b"file 2"]


def test_the_store_follows_the_settings_one_s3_client_per_configuration(s3_bucket, tmp_path):
    disk = Settings(var_dir=tmp_path)
    assert isinstance(store_for(disk), LocalDiskStore) and store_for(disk).root == tmp_path / "attachments"
    s3 = dataclasses.replace(disk, attachments_s3_bucket=s3_bucket.name,
                             attachments_s3_endpoint_url=s3_bucket.endpoint_url, attachments_s3_prefix="/team/files")
    store = store_for(s3)
    assert isinstance(store, S3Store) and store.prefix == "team/files/" and store.bucket == s3_bucket.name
    assert store_for(s3) is store


S3_VARIABLES = ("COSELL_ATTACHMENTS_S3_BUCKET", "COSELL_ATTACHMENTS_S3_PREFIX", "COSELL_ATTACHMENTS_S3_ENDPOINT_URL",
                "COSELL_ATTACHMENTS_S3_REGION", "COSELL_ATTACHMENTS_S3_ADDRESSING_STYLE")


@pytest.fixture
def env(monkeypatch):
    for name in S3_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_the_s3_settings_from_the_environment(env):
    assert Settings.from_env().attachments_s3_bucket == ""  # the disk by default
    env.setenv("COSELL_ATTACHMENTS_S3_BUCKET", "cosell-files")
    env.setenv("COSELL_ATTACHMENTS_S3_ENDPOINT_URL", "https://minio.internal:9000")
    env.setenv("COSELL_ATTACHMENTS_S3_ADDRESSING_STYLE", "Path")
    settings = Settings.from_env()
    assert (settings.attachments_s3_bucket, settings.attachments_s3_prefix, settings.attachments_s3_endpoint_url,
            settings.attachments_s3_addressing_style) == (
        "cosell-files", "attachments/", "https://minio.internal:9000", "path")
    env.setenv("COSELL_ATTACHMENTS_S3_PREFIX", "")
    assert Settings.from_env().attachments_s3_prefix == ""
    env.setenv("COSELL_ATTACHMENTS_S3_PREFIX", "/prod/cases/")
    assert Settings.from_env().attachments_s3_prefix == "prod/cases/"


@pytest.mark.parametrize(("variables", "named", "says"), [
    ({"COSELL_ATTACHMENTS_S3_ENDPOINT_URL": "http://minio:9000"}, "COSELL_ATTACHMENTS_S3_BUCKET",
     "must name the bucket when COSELL_ATTACHMENTS_S3_ENDPOINT_URL is set"),
    ({"COSELL_ATTACHMENTS_S3_BUCKET": "files", "COSELL_ATTACHMENTS_S3_ADDRESSING_STYLE": "dns"},
     "COSELL_ATTACHMENTS_S3_ADDRESSING_STYLE", "auto, path or virtual"),
    ({"COSELL_ATTACHMENTS_S3_BUCKET": "files/cases"}, "COSELL_ATTACHMENTS_S3_BUCKET", "no slash"),
    ({"COSELL_ATTACHMENTS_S3_BUCKET": "files", "COSELL_ATTACHMENTS_S3_ENDPOINT_URL": "minio:9000"},
     "COSELL_ATTACHMENTS_S3_ENDPOINT_URL", "http:// or https://"),
])
def test_a_bad_s3_setting_is_one_line_naming_the_variable(env, variables, named, says):
    for name, value in variables.items():
        env.setenv(name, value)
    with pytest.raises(SettingsError, match=says) as raised:
        Settings.from_env()
    assert raised.value.variable == named and "\n" not in str(raised.value)


def test_s3_without_boto3_installed_is_a_configuration_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "boto3", None)  # how Python marks a module as not importable
    assert Settings(attachments_s3_bucket="").attachments_s3_bucket == ""  # the disk store needs no boto3
    with pytest.raises(SettingsError, match=r"boto3 is not installed: install cosell with the s3 extra") as raised:
        Settings(attachments_s3_bucket="cosell-files")
    assert raised.value.variable == "COSELL_ATTACHMENTS_S3_BUCKET"
