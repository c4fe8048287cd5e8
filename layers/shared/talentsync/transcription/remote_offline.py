"""The offline engine as the chain reaches it in AWS: a synchronous Lambda call.

faster-whisper, CTranslate2 and the model weigh far more than a zip function
may, and loading them would slow every cold start of TranscriptionFunction. So
in AWS the engine lives in its own container-image function
(`functions/offline_engine`), and `RemoteOfflineEngine` calls it with the
answer's S3 location only when the chain reaches `fallback`. The engine reads
the object from S3 itself: a synchronous invoke payload is capped at 6 MB,
smaller than many answers.

`make_fallback_provider()` picks the remote engine when `OFFLINE_ENGINE_FUNCTION`
names the function, and the in-process `OfflineEngine` otherwise (local runs and
tests).
"""

from __future__ import annotations

import json
import os
from functools import cache
from typing import Any

from talentsync.errors import PermanentError, ProviderError
from talentsync.models import Provider
from talentsync.transcription.provider import (
    AudioFile,
    TranscriptionProvider,
    TranscriptResult,
)

OFFLINE_ENGINE_FUNCTION_ENV = "OFFLINE_ENGINE_FUNCTION"

# Must exceed the engine function's Timeout (template.yaml), or a slow but
# healthy transcription is abandoned while it is still running.
# NOTE: the engine function's Timeout caps the answer length the fallback can
# handle: at the measured real-time factor (~0.15-0.25 on 2 vCPUs) a 300 s
# Timeout covers answers up to about 20 minutes. TranscriptionFunction's own
# timeout must also leave this much time once both vendors have failed.
DEFAULT_READ_TIMEOUT_SECONDS = 310.0
CONNECT_TIMEOUT_SECONDS = 5.0

# Errors raised inside the engine function that will repeat on the same audio:
# every PermanentError by class name, a payload the engine could not parse, and
# running out of memory.
_RUNTIME_PERMANENT_ERRORS = frozenset({"ValidationError", "Runtime.OutOfMemory"})

# Lambda API errors that a retry cannot fix: a wrong name, a missing permission,
# a payload the service refuses.
_PERMANENT_INVOKE_ERRORS = frozenset(
    {
        "ResourceNotFoundException",
        "AccessDeniedException",
        "InvalidParameterValueException",
        "InvalidRequestContentException",
        "RequestTooLargeException",
    }
)


class RemoteOfflineEngine:
    """The `fallback` provider, run in the offline engine's container function."""

    name: Provider = Provider.FALLBACK

    def __init__(
        self,
        function_name: str,
        *,
        lambda_client: Any | None = None,
        read_timeout_seconds: float = DEFAULT_READ_TIMEOUT_SECONDS,
    ) -> None:
        self.function_name = function_name
        self.read_timeout_seconds = read_timeout_seconds
        self._client = lambda_client

    def transcribe(self, audio: AudioFile) -> TranscriptResult:
        """Have the engine function transcribe the answer where it sits in S3."""
        if not (audio.s3_bucket and audio.s3_key):
            raise ProviderError(
                self.name, "the audio has no S3 location to hand over", transient=False
            )

        response = self._invoke({"bucket": audio.s3_bucket, "key": audio.s3_key})
        body = response["Payload"].read()
        if response.get("FunctionError"):
            raise _function_error(body)
        return _parsed_result(body)

    def _invoke(self, payload: dict[str, Any]) -> dict[str, Any]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response: dict[str, Any] = self._lambda().invoke(
                FunctionName=self.function_name,
                InvocationType="RequestResponse",
                Payload=json.dumps(payload).encode(),
            )
        except ClientError as exc:
            raise _invoke_error(exc) from exc
        except BotoCoreError as exc:
            reason = f"could not reach the offline engine function: {exc}"
            raise ProviderError(self.name, reason, transient=True) from exc
        return response

    def _lambda(self) -> Any:
        if self._client is None:
            self._client = _lambda_client(self.read_timeout_seconds)
        return self._client


def make_fallback_provider(function_name: str | None = None) -> TranscriptionProvider:
    """The remote engine when a function is named (argument, then environment)."""
    name = function_name or os.environ.get(OFFLINE_ENGINE_FUNCTION_ENV)
    if name:
        return RemoteOfflineEngine(name)

    # Imported here so that a deployed TranscriptionFunction never loads it.
    from talentsync.transcription.offline import OfflineEngine

    return OfflineEngine()


def is_transient_function_error(error_type: str) -> bool:
    """Whether an error the engine function raised may pass on a retry."""
    return error_type not in _permanent_function_errors()


def _function_error(body: bytes) -> ProviderError:
    error = _json_object(body)
    error_type = str(error.get("errorType") or "Unknown")
    message = str(error.get("errorMessage") or "no message")
    return ProviderError(
        Provider.FALLBACK,
        f"offline engine function failed with {error_type}: {message}",
        transient=is_transient_function_error(error_type),
    )


def _parsed_result(body: bytes) -> TranscriptResult:
    from pydantic import ValidationError

    try:
        return TranscriptResult.model_validate_json(body)
    except ValidationError as exc:
        reason = f"the offline engine function returned no transcript: {exc}"
        raise ProviderError(Provider.FALLBACK, reason, transient=False) from exc


def _invoke_error(exc: Any) -> ProviderError:
    code = str(exc.response.get("Error", {}).get("Code", "Unknown"))
    return ProviderError(
        Provider.FALLBACK,
        f"invoking the offline engine function failed with {code}",
        transient=code not in _PERMANENT_INVOKE_ERRORS,
    )


@cache
def _permanent_function_errors() -> frozenset[str]:
    names = {PermanentError.__name__}
    pending: list[type[PermanentError]] = [PermanentError]
    while pending:
        for subclass in pending.pop().__subclasses__():
            names.add(subclass.__name__)
            pending.append(subclass)
    return frozenset(names) | _RUNTIME_PERMANENT_ERRORS


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(body or b"{}")
    except ValueError:
        return {"errorMessage": body[:200].decode(errors="replace")}
    return parsed if isinstance(parsed, dict) else {"errorMessage": str(parsed)}


def _lambda_client(read_timeout_seconds: float) -> Any:
    import boto3
    from botocore.config import Config

    # One attempt only: botocore retries a read timeout, which would start a
    # second, duplicate transcription while the first may still be running.
    config = Config(
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=read_timeout_seconds,
        retries={"total_max_attempts": 1, "mode": "standard"},
    )
    return boto3.client("lambda", config=config)
