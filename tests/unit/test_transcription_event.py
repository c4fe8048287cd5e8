"""The S3 event as SAM's S3 source delivers it, and the sample event on disk."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from talentsync.errors import MalformedEventError
from talentsync.transcription.object_key import parse_object_key
from talentsync.transcription.upload_event import S3Event, parse_event, uploads

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


def test_record_without_an_etag_is_refused_naming_the_field() -> None:
    event = copy.deepcopy(sample())
    del event["Records"][0]["s3"]["object"]["eTag"]

    with pytest.raises(MalformedEventError) as refused:
        parse_event(event)

    assert str(refused.value) == (
        "not an S3 ObjectCreated event: Records.0.s3.object.eTag: Field required"
    )


def test_an_event_with_many_errors_names_the_first_three() -> None:
    record = sample()["Records"][0]
    event = {"Records": [{"eventName": 1}, {"eventName": 2}, {"eventName": 3}, record]}

    with pytest.raises(MalformedEventError) as refused:
        parse_event(event)

    message = str(refused.value)
    assert message.startswith("not an S3 ObjectCreated event: Records.0.eventName: ")
    assert message.count("Records.") == 3
    assert message.endswith("; and 3 more")


def test_a_well_formed_event_parses() -> None:
    assert parse_event(sample()) == S3Event.model_validate(sample())
