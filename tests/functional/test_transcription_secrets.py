"""The vendors' keys come from Secrets Manager, cached, and never reach the logs."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from talentsync.errors import AllProvidersFailedError
from talentsync.settings import get_settings
from tests.support.aws import REGION
from tests.support.fake_vendors import FakeVendors
from tests.support.transcription_uploads import (
    Upload,
    invoke,
    make_upload,
    transcription_row,
    upload_event,
    wav_bytes,
)


@pytest.fixture
def provider_secret(transcription_app: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """The secret holds the keys; the environment holds none."""
    reply = boto3.client("secretsmanager", region_name=REGION).create_secret(
        Name="talentsync/providers",
        SecretString=json.dumps(
            {
                "OPENAI_API_KEY": "sk-from-secret",
                "ASSEMBLYAI_API_KEY": "aai-from-secret",
            }
        ),
    )
    monkeypatch.delenv("OPENAI_API_KEY")
    monkeypatch.delenv("ASSEMBLYAI_API_KEY")
    monkeypatch.setenv("PROVIDER_SECRET_ARN", reply["ARN"])
    get_settings.cache_clear()
    return str(reply["ARN"])


def replace_secret(arn: str, values: dict[str, str]) -> None:
    boto3.client("secretsmanager", region_name=REGION).put_secret_value(
        SecretId=arn, SecretString=json.dumps(values)
    )


def test_vendor_is_called_with_the_key_from_the_secret(
    transcription_app: Any,
    provider_secret: str,
    answer_upload: Upload,
    fake_vendors: FakeVendors,
) -> None:
    invoke(transcription_app, upload_event(answer_upload))

    assert [c.api_key for c in fake_vendors.calls_to("openai")] == ["sk-from-secret"]


def test_empty_key_in_the_secret_skips_that_vendor(
    transcription_app: Any,
    provider_secret: str,
    answer_upload: Upload,
    fake_vendors: FakeVendors,
    conn: Any,
) -> None:
    replace_secret(
        provider_secret, {"OPENAI_API_KEY": "", "ASSEMBLYAI_API_KEY": "aai-from-secret"}
    )

    invoke(transcription_app, upload_event(answer_upload))

    assert fake_vendors.calls_to("openai") == []
    assert transcription_row(conn, answer_upload.key)["provider"] == "assemblyai"


def test_secret_is_read_once_per_warm_container_while_fresh(
    transcription_app: Any,
    provider_secret: str,
    audio_bucket: str,
    conn: Any,
    fake_vendors: FakeVendors,
) -> None:
    invoke(
        transcription_app,
        upload_event(make_upload(conn, audio_bucket, wav_bytes(), "wav")),
    )
    replace_secret(provider_secret, {"OPENAI_API_KEY": "sk-rotated"})

    invoke(
        transcription_app,
        upload_event(make_upload(conn, audio_bucket, wav_bytes(), "wav")),
    )

    keys = [call.api_key for call in fake_vendors.calls_to("openai")]
    assert keys == ["sk-from-secret", "sk-from-secret"]


def test_unreadable_secret_fails_the_upload_for_a_retry(
    transcription_app: Any,
    answer_upload: Upload,
    fake_vendors: FakeVendors,
    conn: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    missing = f"arn:aws:secretsmanager:{REGION}:123456789012:secret:missing-AbCdEf"
    monkeypatch.setenv("PROVIDER_SECRET_ARN", missing)
    get_settings.cache_clear()

    with pytest.raises(AllProvidersFailedError):
        invoke(transcription_app, upload_event(answer_upload))

    row = transcription_row(conn, answer_upload.key)
    assert "cannot read the provider secret" in row["error_message"]
    assert row["retryable"] is True
    assert fake_vendors.calls == []


def test_keys_from_the_secret_never_appear_in_the_logs(
    transcription_app: Any,
    provider_secret: str,
    answer_upload: Upload,
    log_lines: list[dict[str, Any]],
) -> None:
    invoke(transcription_app, upload_event(answer_upload))

    logged = repr(log_lines)
    assert "transcription completed" in logged
    assert "sk-from-secret" not in logged
    assert "aai-from-secret" not in logged
