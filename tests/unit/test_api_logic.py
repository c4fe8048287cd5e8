"""The API's pure rules: body limits, the caller's id, cursors, keys, transitions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from talentsync.api.http import MAX_BODY_BYTES, caller_id, read_json_body
from talentsync.api.models import AudioContentType
from talentsync.api.sessions import ALLOWED_STATUS_CHANGES, decode_cursor, encode_cursor
from talentsync.api.uploads import EXTENSIONS, check_declared_size
from talentsync.errors import (
    InvalidRequestError,
    MalformedBodyError,
    PayloadTooLargeError,
)
from talentsync.models import Difficulty, Session, SessionStatus


def a_session(started_at: datetime) -> Session:
    return Session(
        id=uuid.uuid4(),
        user_id=uuid.uuid4(),
        job_position="Software Engineer",
        difficulty_level=Difficulty.EASY,
        status=SessionStatus.ACTIVE,
        started_at=started_at,
        completed_at=None,
        total_questions=3,
        answered_questions=0,
    )


def test_body_at_the_limit_is_read() -> None:
    text = '"' + "x" * (MAX_BODY_BYTES - 2) + '"'

    assert len(read_json_body(text)) == MAX_BODY_BYTES - 2


def test_body_one_byte_over_the_limit_is_refused() -> None:
    text = '"' + "x" * (MAX_BODY_BYTES - 1) + '"'

    with pytest.raises(PayloadTooLargeError):
        read_json_body(text)


def test_body_limit_counts_utf8_bytes_not_characters() -> None:
    text = '"' + "é" * (MAX_BODY_BYTES // 2) + '"'

    with pytest.raises(PayloadTooLargeError):
        read_json_body(text)


@pytest.mark.parametrize("text", ["{", "[" * 10_000, "9" * 5_000, "NaN-ish"])
def test_unreadable_body_is_malformed(text: str) -> None:
    with pytest.raises(MalformedBodyError):
        read_json_body(text)


def test_caller_id_is_the_sub_claim() -> None:
    user_id = uuid.uuid4()

    assert caller_id(str(user_id)) == user_id


@pytest.mark.parametrize("sub", [None, "", "user-1", 42, ["x"]])
def test_caller_id_is_none_without_a_uuid_sub(sub: object) -> None:
    assert caller_id(sub) is None


def test_cursor_stands_for_the_session_it_was_made_from() -> None:
    session = a_session(datetime(2024, 1, 15, 10, 30, 0, 123456, tzinfo=UTC))

    assert decode_cursor(encode_cursor(session)) == (session.started_at, session.id)


@pytest.mark.parametrize(
    "cursor",
    ["", "%%%", "bm90IGEgY3Vyc29y", "MjAyNC0wMS0xNVQxMDozMDowMHxub3QtYS11dWlk"],
)
def test_foreign_cursor_is_an_invalid_request_naming_it(cursor: str) -> None:
    with pytest.raises(InvalidRequestError) as raised:
        decode_cursor(cursor)

    assert raised.value.location == ("query", "cursor")


def test_cursor_without_a_time_zone_is_refused() -> None:
    naive = a_session(datetime(2024, 1, 15, 10, 30))

    with pytest.raises(InvalidRequestError):
        decode_cursor(encode_cursor(naive))


def test_every_content_type_has_a_contract_extension() -> None:
    contract = {"wav", "mp3", "m4a", "mp4", "webm", "ogg", "flac"}

    assert set(EXTENSIONS) == set(AudioContentType)
    assert set(EXTENSIONS.values()) == contract


@pytest.mark.parametrize("status", [SessionStatus.COMPLETED, SessionStatus.CANCELLED])
def test_nothing_leaves_a_final_status(status: SessionStatus) -> None:
    assert status not in ALLOWED_STATUS_CHANGES


def test_declared_size_at_the_limit_passes() -> None:
    assert check_declared_size(1000, 1000) is None


def test_declared_size_over_the_limit_names_size_bytes() -> None:
    with pytest.raises(InvalidRequestError) as raised:
        check_declared_size(1001, 1000)

    assert raised.value.location == ("body", "size_bytes")
