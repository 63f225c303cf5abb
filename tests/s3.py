"""A local S3-compatible endpoint for the attachment store's tests: moto's server mode (a
real HTTP server on a free port of 127.0.0.1, spoken to over HTTP by boto3, not an
in-process mock), one per test session, a fresh bucket per test."""

from __future__ import annotations

import dataclasses
import logging
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

REGION = "us-east-1"


@dataclass
class S3Bucket:
    endpoint_url: str
    name: str
    client: Any

    def objects(self, prefix: str = "") -> dict[str, bytes]:
        """Every object under `prefix`, by key."""
        found = {}
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name, Prefix=prefix):
            for item in page.get("Contents", []):
                found[item["Key"]] = self.client.get_object(Bucket=self.name, Key=item["Key"])["Body"].read()
        return found

    def settings(self, settings, prefix: str = "attachments/"):
        """`settings` with attachments in this bucket."""
        return dataclasses.replace(settings, attachments_s3_bucket=self.name,
                                   attachments_s3_endpoint_url=self.endpoint_url, attachments_s3_region=REGION,
                                   attachments_s3_addressing_style="path", attachments_s3_prefix=prefix)


@pytest.fixture(scope="session")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request otherwise
    with pytest.MonkeyPatch.context() as env:
        # boto3's standard chain finds these (moto takes any); no profile or instance metadata is read.
        env.setenv("AWS_ACCESS_KEY_ID", "cosell-test")
        env.setenv("AWS_SECRET_ACCESS_KEY", "cosell-test")
        env.setenv("AWS_CONFIG_FILE", "/nonexistent")
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        env.setenv("AWS_EC2_METADATA_DISABLED", "true")
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        try:
            host, port = server.get_host_and_port()
            yield f"http://{host}:{port}"
        finally:
            server.stop()


@pytest.fixture
def s3_bucket(s3_endpoint) -> S3Bucket:
    import boto3

    client = boto3.session.Session().client("s3", endpoint_url=s3_endpoint, region_name=REGION)
    name = f"cosell-{uuid.uuid4().hex[:16]}"
    client.create_bucket(Bucket=name)
    return S3Bucket(s3_endpoint, name, client)
