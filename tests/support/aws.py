"""Local AWS for the tests: moto in-process, with credentials that reach nothing."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

REGION = "us-east-1"
AUDIO_BUCKET = "talentsync-audio-test"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every boto3 call inside the test goes to moto."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    with mock_aws():
        yield


@pytest.fixture
def audio_bucket(aws: None, monkeypatch: pytest.MonkeyPatch) -> str:
    """The audio bucket, created empty; AUDIO_BUCKET names it for the handlers."""
    boto3.client("s3", region_name=REGION).create_bucket(Bucket=AUDIO_BUCKET)
    monkeypatch.setenv("AUDIO_BUCKET", AUDIO_BUCKET)
    return AUDIO_BUCKET


def s3_client() -> Any:
    return boto3.client("s3", region_name=os.environ.get("AWS_REGION", REGION))
