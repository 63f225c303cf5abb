"""The attachment store the settings choose: S3 when COSELL_ATTACHMENTS_S3_BUCKET is set,
else the directory (docs/operations.md, "Cases")."""

from __future__ import annotations

from functools import lru_cache

from partners.cases.storage import AttachmentStore, LocalDiskStore
from partners.infra.settings import Settings, s3_prefix


def store_for(settings: Settings) -> AttachmentStore:
    """One S3 store (its client and connection pool) per configuration and process."""
    if settings.attachments_s3_bucket:
        return _s3_store(settings.attachments_s3_bucket, s3_prefix(settings.attachments_s3_prefix),
                         settings.attachments_s3_endpoint_url, settings.attachments_s3_region,
                         settings.attachments_s3_addressing_style)
    return LocalDiskStore(settings.attachments_dir)


@lru_cache(maxsize=8)
def _s3_store(bucket: str, prefix: str, endpoint_url: str, region: str, addressing_style: str) -> AttachmentStore:
    from partners.cases.s3_store import S3Store  # boto3 is the optional `s3` extra

    return S3Store.connect(bucket, prefix=prefix, endpoint_url=endpoint_url or None, region=region or None,
                           addressing_style=addressing_style)
