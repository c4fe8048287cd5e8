"""The S3 ObjectCreated event, as SAM's S3 event source delivers it to the function.

Only the fields the pipeline reads are modelled. S3 URL-encodes the key in the
event (a space arrives as `+`), so `uploads` hands on the decoded key, which is
the one the S3 API and the key contract use.
"""

from __future__ import annotations

from urllib.parse import unquote_plus

from pydantic import BaseModel, ConfigDict, Field


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
