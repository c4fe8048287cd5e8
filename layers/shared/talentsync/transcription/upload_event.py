"""The S3 ObjectCreated event, as SAM's S3 event source delivers it to the function.

Only the fields the pipeline reads are modelled. S3 URL-encodes the key in the
event (a space arrives as `+`), so `uploads` hands on the decoded key, which is
the one the S3 API and the key contract use.
"""

from __future__ import annotations

from urllib.parse import unquote_plus

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from talentsync.errors import MalformedEventError

# How many of pydantic's field errors the message names; a hostile event can
# carry thousands.
ERRORS_NAMED = 3


class S3Bucket(BaseModel):
    name: str


class S3Object(BaseModel):
    key: str
    size: int = Field(ge=0)
    etag: str = Field(alias="eTag", min_length=1)


class S3Entity(BaseModel):
    bucket: S3Bucket
    object: S3Object


class S3EventRecord(BaseModel):
    event_name: str = Field(alias="eventName")
    s3: S3Entity


class S3Event(BaseModel):
    records: list[S3EventRecord] = Field(alias="Records")


class UploadedAudio(BaseModel):
    """One uploaded object to transcribe, in the S3 API's own terms."""

    model_config = ConfigDict(frozen=True)

    bucket: str
    key: str
    etag: str
    size_bytes: int


def parse_event(event: object) -> S3Event:
    """The S3 event, or `MalformedEventError` naming the fields that are wrong.

    No row can be recorded for such an event (it names no object that can be
    trusted), so the error itself is the record: Lambda's on-failure destination
    keeps it, with the event, in the dead-letter queue.
    """
    # NOTE: Lambda cannot be told that an error is final, so a malformed event is
    # still retried twice (cheaply: nothing is read or written) before it reaches
    # the dead-letter queue.
    try:
        return S3Event.model_validate(event)
    except ValidationError as exc:
        raise MalformedEventError(describe(exc)) from None


def describe(exc: ValidationError) -> str:
    problems = [
        f"{'.'.join(str(part) for part in error['loc']) or 'event'}: {error['msg']}"
        for error in exc.errors()[:ERRORS_NAMED]
    ]
    more = exc.error_count() - len(problems)
    if more > 0:
        problems.append(f"and {more} more")
    return "not an S3 ObjectCreated event: " + "; ".join(problems)


def uploads(event: S3Event) -> list[UploadedAudio]:
    """The created objects of the event, keys decoded, ETags without quotes."""
    return [
        UploadedAudio(
            bucket=record.s3.bucket.name,
            key=unquote_plus(record.s3.object.key),
            etag=record.s3.object.etag.strip('"'),
            size_bytes=record.s3.object.size,
        )
        for record in event.records
        if record.event_name.startswith("ObjectCreated:")
    ]
