"""Where case attachments' bytes live: an `AttachmentStore` (put/get/delete by key). The
default keeps one file per attachment under a directory (COSELL_ATTACHMENTS_DIR, else
var/attachments); with COSELL_ATTACHMENTS_S3_BUCKET set they are objects of an S3-compatible
bucket (partners/cases/s3_store.py); partners/cases/stores.py picks one. Both lay keys out
the same way (`<2 hex>/<key>`, under the bucket's prefix), so moving between them is a copy."""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import tempfile
from pathlib import Path
from typing import Protocol

_KEY = re.compile(r"[0-9a-f]{32}")


class StoreError(OSError):
    """The store could not do what was asked (the S3 endpoint refused or did not answer).
    An OSError like the disk store's own failures, so callers handle both alike."""


class AttachmentStore(Protocol):
    async def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None: ...

    async def get(self, key: str) -> bytes | None: ...

    async def delete(self, key: str) -> None: ...


def new_key() -> str:
    """A random key: never derived from the file name, so a name cannot reach another path."""
    return secrets.token_hex(16)


def relative_path(key: str) -> str:
    """`<first 2 hex>/<key>` of a key made by `new_key`; anything else is refused, so no
    file name or other input ever becomes a path or an object key."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):  # (match with $ would let "…\n" in)
        raise ValueError("not an attachment key")
    return f"{key[:2]}/{key}"


class LocalDiskStore:
    """Files under `root/<first 2 hex>/<key>`, written to a temporary file and renamed (a
    reader never sees half a file). The content type lives in the database row only."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / relative_path(key)

    def _put(self, key: str, data: bytes) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def _get(self, key: str) -> bytes | None:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            return None

    async def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        await asyncio.to_thread(self._put, key, data)

    async def get(self, key: str) -> bytes | None:
        return await asyncio.to_thread(self._get, key)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.path(key).unlink, True)
