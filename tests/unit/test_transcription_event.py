"""The S3 event as SAM's S3 source delivers it, and the sample event on disk."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from talentsync.transcription.object_key import parse_object_key
from talentsync.transcription.upload_event import S3Event, uploads

SAMPLE_EVENT = (
    Path(__file__).resolve().parents[1] / "events" / "transcription-s3-put.json"
)


def sample() -> dict[str, Any]:
    event: dict[str, Any] = json.loads(SAMPLE_EVENT.read_text())
    return event


def with_object(**fields: object) -> dict[str, Any]:
    event = copy.deepcopy(sample())
    event["Records"][0]["s3"]["object"].update(fields)
    return event


def test_sample_event_is_one_upload_whose_key_follows_the_contract() -> None:
    [upload] = uploads(S3Event.model_validate(sample()))

    parsed = parse_object_key(upload.key)
    assert parsed.extension == "wav"
    assert upload.bucket == "talentsync-audio-dev-123456789012-us-east-1"
    assert upload.size_bytes == 2048576


def test_plus_in_the_event_key_is_a_space() -> None:
    event = with_object(key="audio/my+answer%2Bfinal.wav")

    [upload] = uploads(S3Event.model_validate(event))

    assert upload.key == "audio/my answer+final.wav"


def test_etag_quotes_are_dropped() -> None:
    event = with_object(eTag='"abc123"')

    [upload] = uploads(S3Event.model_validate(event))

    assert upload.etag == "abc123"


def test_records_other_than_object_created_are_ignored() -> None:
    event = copy.deepcopy(sample())
    event["Records"][0]["eventName"] = "ObjectRemoved:Delete"

    assert uploads(S3Event.model_validate(event)) == []


def test_every_record_of_the_event_is_an_upload() -> None:
    event = copy.deepcopy(sample())
    event["Records"].append(copy.deepcopy(event["Records"][0]))
    event["Records"][1]["s3"]["object"]["key"] = "audio/second.wav"

    keys = [upload.key for upload in uploads(S3Event.model_validate(event))]

    assert keys[1] == "audio/second.wav"
    assert len(keys) == 2


def test_record_without_an_etag_is_refused() -> None:
    event = copy.deepcopy(sample())
    del event["Records"][0]["s3"]["object"]["eTag"]

    with pytest.raises(ValidationError):
        S3Event.model_validate(event)
