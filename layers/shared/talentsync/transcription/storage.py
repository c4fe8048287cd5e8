"""The uploaded object, fetched from S3 to local disk and checked on the way.

One GET with `If-Match` on the event's ETag reads exactly the upload the event
announced: its size, content type and ETag come with the reply, the size is
checked before a byte of the body is read, and the first bytes are checked
against the claimed format while the body streams to a temporary file (Lambda's
writable /tmp). The file is deleted when the caller is done with it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from talentsync.errors import ConflictError, NotFoundError, TransientError
from talentsync.transcription.object_key import AudioObjectKey
from talentsync.transcription.provider import AudioFile
from talentsync.transcription.upload_event import UploadedAudio
from talentsync.transcription.validation import (
    HEADER_BYTES,
    check_complete,
    check_magic,
    check_size,
)

COPY_CHUNK_BYTES = 1024 * 1024


class AudioUnavailableError(TransientError):
    """S3 could not hand over the object right now (throttling, an outage)."""


@contextmanager
def fetched_audio(
    s3: Any, upload: UploadedAudio, key: AudioObjectKey, max_bytes: int
) -> Iterator[AudioFile]:
    """The upload on local disk as a checked AudioFile; deleted on exit."""
    reply = _get_object(s3, upload)
    body: BinaryIO = reply["Body"]
    try:
        check_size(reply["ContentLength"], max_bytes)
        path = _save(body, key)
    finally:
        body.close()
    try:
        yield _audio_file(path, upload, key, reply)
    finally:
        path.unlink(missing_ok=True)


def _get_object(s3: Any, upload: UploadedAudio) -> dict[str, Any]:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        reply: dict[str, Any] = s3.get_object(
            Bucket=upload.bucket, Key=upload.key, IfMatch=upload.etag
        )
    except ClientError as exc:
        raise _get_error(exc) from exc
    except BotoCoreError as exc:
        raise AudioUnavailableError(f"cannot read the uploaded object: {exc}") from exc
    return reply


def _get_error(exc: Any) -> Exception:
    code = exc.response.get("Error", {}).get("Code", "")
    if code in ("NoSuchKey", "404"):
        return NotFoundError("the uploaded object no longer exists in the bucket")
    if code in ("PreconditionFailed", "412"):
        return ConflictError(
            "the object was replaced after this upload (its ETag changed); the"
            " newer upload is transcribed from its own event"
        )
    return AudioUnavailableError(f"cannot read the uploaded object: {code or exc}")


def _save(body: BinaryIO, key: AudioObjectKey) -> Path:
    handle, name = tempfile.mkstemp(prefix="answer-", suffix=f".{key.extension}")
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as file:
            _copy_checked(body, file, key.extension)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def _copy_checked(body: BinaryIO, file: BinaryIO, extension: str) -> None:
    from botocore.exceptions import BotoCoreError

    try:
        header = body.read(HEADER_BYTES)
        check_magic(header, extension)
        file.write(header)
        shutil.copyfileobj(body, file, COPY_CHUNK_BYTES)
        check_complete(header, file.tell(), extension)
    except BotoCoreError as exc:
        raise AudioUnavailableError(f"reading the object broke off: {exc}") from exc


def _audio_file(
    path: Path, upload: UploadedAudio, key: AudioObjectKey, reply: dict[str, Any]
) -> AudioFile:
    size_bytes = path.stat().st_size
    if size_bytes != reply["ContentLength"]:
        raise AudioUnavailableError("the object's body was shorter than its length")
    return AudioFile(
        path=path,
        file_name=key.file_name,
        extension=key.extension,
        content_type=reply.get("ContentType"),
        size_bytes=size_bytes,
        s3_bucket=upload.bucket,
        s3_key=upload.key,
    )
