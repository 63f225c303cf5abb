"""Case attachments as objects of an S3-compatible bucket (AWS S3, MinIO, Ceph, Cloudflare R2 …):
the `AttachmentStore` of partners/cases/storage.py for COSELL_ATTACHMENTS_S3_BUCKET.

Objects are `<prefix><2 hex>/<key>`, the disk store's layout, with the key a random one of
`new_key` (never a file name). boto3 is synchronous: every call runs in a worker thread, off
the event loop. Credentials come from boto3's own chain (AWS_* variables, a profile, an
instance or task role); cosell has no setting for them. Failures are `StoreError` (an
OSError), as a disk failure would be."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from typing import Any

from partners.cases.storage import StoreError, relative_path
from partners.infra.settings import SettingsError

_MISSING = {"NoSuchKey", "404", "NotFound"}


class S3Store:
    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    @classmethod
    def connect(cls, bucket: str, *, prefix: str = "", endpoint_url: str | None = None, region: str | None = None,
                addressing_style: str = "auto") -> "S3Store":
        try:
            import boto3
            from botocore.config import Config
        except ImportError:
            raise SettingsError("COSELL_ATTACHMENTS_S3_BUCKET", "COSELL_ATTACHMENTS_S3_BUCKET needs boto3: install "
                                "cosell with the s3 extra (pip install 'cosell[s3]')") from None
        config = Config(s3={"addressing_style": addressing_style}, retries={"mode": "standard", "max_attempts": 3},
                        connect_timeout=5, read_timeout=30, max_pool_connections=16)
        # A session of its own: boto3's default session is not thread-safe; the client is.
        client = boto3.session.Session().client("s3", endpoint_url=endpoint_url, region_name=region, config=config)
        return cls(client, bucket, prefix)

    def object_key(self, key: str) -> str:
        return self.prefix + relative_path(key)

    def _put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self.object_key(key), Body=data, ContentType=content_type,
                               ContentMD5=base64.b64encode(hashlib.md5(data).digest()).decode("ascii"))

    def _get(self, key: str) -> bytes | None:
        from botocore.exceptions import ClientError

        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.object_key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                return None
            raise
        with response["Body"] as body:
            return body.read()

    def _delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.object_key(key))  # a missing object is no error

    async def _call(self, function, *args) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return await asyncio.to_thread(function, *args)
        except (BotoCoreError, ClientError) as exc:
            raise StoreError(f"S3 bucket {self.bucket}: {exc}") from exc

    async def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        await self._call(self._put, key, data, content_type or "application/octet-stream")

    async def get(self, key: str) -> bytes | None:
        return await self._call(self._get, key)

    async def delete(self, key: str) -> None:
        await self._call(self._delete, key)
