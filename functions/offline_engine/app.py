"""OfflineEngineFunction: the offline fallback transcription engine.

A container-image function (Dockerfile beside this file). TranscriptionFunction
invokes it synchronously with `{"bucket": ..., "key": ...}` only when its
provider chain reaches `fallback`. The answer is downloaded to /tmp, transcribed
by faster-whisper with the model baked into the image (verified and loaded once
per container), and returned as a `TranscriptResult` in JSON.

Failures are raised by their own class (InvalidAudioError, ModelIntegrityError,
NotFoundError, TransientError...), so the caller reads from the error type
whether a retry can help.
"""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, ConfigDict, Field

from talentsync.errors import ConfigurationError, NotFoundError, TransientError
from talentsync.transcription.offline import OfflineSettings, transcribe_file

logger = Logger(service="offline-engine")

S3_CLIENT_CONFIG = Config(
    connect_timeout=5, read_timeout=30, retries={"mode": "standard", "max_attempts": 3}
)


class OfflineEngineRequest(BaseModel):
    """Where the answer to transcribe sits in S3."""

    model_config = ConfigDict(frozen=True)

    bucket: str = Field(min_length=3, max_length=63)
    key: str = Field(min_length=1, max_length=1024)


# NOTE: the model loads on a container's first invocation, not at init, so a
# broken model surfaces as ModelIntegrityError (a permanent failure the caller
# can recognise) instead of a runtime init error. That first call pays about
# 1 s of verification and loading on top of the transcription.
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = OfflineEngineRequest.model_validate(event)
    logger.append_keys(s3_key=request.key)

    with tempfile.TemporaryDirectory() as scratch:
        path = download_audio(request, Path(scratch))
        result = transcribe_file(path, engine_settings())
    return result.model_dump(mode="json")


def download_audio(request: OfflineEngineRequest, directory: Path) -> Path:
    """Copy the object to `directory`, keeping its extension for the decoder."""
    path = directory / f"answer{PurePosixPath(request.key).suffix.lower()}"
    try:
        s3_client().download_file(request.bucket, request.key, str(path))
    except ClientError as exc:
        raise download_error(request, exc) from exc
    except BotoCoreError as exc:
        raise TransientError(f"could not download the answer: {exc}") from exc
    return path


def download_error(request: OfflineEngineRequest, exc: ClientError) -> Exception:
    """Name the failure so the caller knows whether to retry."""
    code = str(exc.response.get("Error", {}).get("Code", ""))
    location = f"s3://{request.bucket}/{request.key}"
    if code in ("NoSuchKey", "404", "NoSuchBucket"):
        return NotFoundError(f"the answer {location} does not exist")
    if code in ("AccessDenied", "403"):
        return ConfigurationError(f"the engine's role may not read {location}")
    return TransientError(f"could not download {location}: {code}")


@cache
def engine_settings() -> OfflineSettings:
    return OfflineSettings.from_env()


@cache
def s3_client() -> Any:
    return boto3.client("s3", config=S3_CLIENT_CONFIG)
