"""Upload URLs: where and how a candidate's answer to the current question goes.

The object key follows the upload key contract of DESIGN.md,
`audio/{user_id}/{session_id}/{question_id}/{upload_id}.{ext}`, which the
transcription function reads back to know whose answer to which question it is.

NOTE: the URL is a presigned PUT: its signature binds the bucket, the key, the
content type and the 15-minute expiry, but not the size. S3 cannot enforce a
size limit on a presigned PUT (only a presigned POST policy with
`content-length-range` can), so the declared `size_bytes` is checked here and the
transcription function checks the real object's size again before any work.

NOTE: the URL is signed with the function role's temporary credentials, so it
stops working when they expire, even if that is before its 15 minutes are up;
and it may be used more than once until it expires (each PUT replaces the object
and raises a new S3 event, which the transcription function keys by etag).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from pydantic import BaseModel

from talentsync.api.models import AudioContentType, UploadRequest, UploadUrl
from talentsync.api.sessions import owned_session
from talentsync.db import Connection
from talentsync.errors import ConflictError, InvalidRequestError
from talentsync.models import Session, SessionStatus

UPLOAD_URL_LIFETIME_SECONDS = 900

EXTENSIONS: dict[AudioContentType, str] = {
    AudioContentType.WAV: "wav",
    AudioContentType.MP3: "mp3",
    AudioContentType.M4A: "m4a",
    AudioContentType.MP4: "mp4",
    AudioContentType.WEBM: "webm",
    AudioContentType.OGG: "ogg",
    AudioContentType.FLAC: "flac",
}


class UploadPolicy(BaseModel):
    """Where uploads go and how large they may be."""

    bucket: str
    max_audio_bytes: int


def create_upload_url(
    conn: Connection,
    s3: Any,
    policy: UploadPolicy,
    user_id: UUID,
    session_id: UUID,
    request: UploadRequest,
) -> UploadUrl:
    """A presigned PUT for the answer to the session's current question."""
    check_declared_size(request.size_bytes, policy.max_audio_bytes)
    session = owned_session(conn, user_id, session_id)
    check_awaits_answer(session, request.question_id)

    upload_id = uuid4()
    key = upload_key(session, request.question_id, upload_id, request.content_type)
    url = presign_put(s3, policy.bucket, key, request.content_type)
    expires_at = datetime.now(UTC) + timedelta(seconds=UPLOAD_URL_LIFETIME_SECONDS)
    return UploadUrl(
        upload_id=upload_id,
        key=key,
        url=url,
        method="PUT",
        headers={"Content-Type": request.content_type.value},
        expires_in_seconds=UPLOAD_URL_LIFETIME_SECONDS,
        expires_at=expires_at,
    )


def check_declared_size(size_bytes: int, max_audio_bytes: int) -> None:
    if size_bytes > max_audio_bytes:
        reason = f"larger than the limit of {max_audio_bytes} bytes"
        raise InvalidRequestError(("body", "size_bytes"), reason)


def check_awaits_answer(session: Session, question_id: UUID) -> None:
    """Only an active session takes answers, and only to its current question."""
    if session.status != SessionStatus.ACTIVE:
        raise ConflictError(f"the session is {session.status.value}, not active")
    if session.current_question_id is None:
        raise ConflictError("the session has no question waiting for an answer")
    if question_id != session.current_question_id:
        raise ConflictError("question_id is not the session's current question")


def upload_key(
    session: Session, question_id: UUID, upload_id: UUID, content_type: AudioContentType
) -> str:
    extension = EXTENSIONS[content_type]
    return f"audio/{session.user_id}/{session.id}/{question_id}/{upload_id}.{extension}"


def presign_put(s3: Any, bucket: str, key: str, content_type: AudioContentType) -> str:
    """A URL that accepts one PUT of `key` with exactly this Content-Type."""
    url: str = s3.generate_presigned_url(
        "put_object",
        Params={"Bucket": bucket, "Key": key, "ContentType": content_type.value},
        ExpiresIn=UPLOAD_URL_LIFETIME_SECONDS,
        HttpMethod="PUT",
    )
    return url


def presigning_client(region: str) -> Any:
    """An S3 client that signs with SigV4, whose URLs carry X-Amz-Expires."""
    import boto3
    from botocore.config import Config

    config = Config(signature_version="s3v4", s3={"addressing_style": "virtual"})
    return boto3.client("s3", region_name=region, config=config)
