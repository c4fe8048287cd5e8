"""The upload key contract for audio answers in the bucket."""

from __future__ import annotations

import uuid

import pytest

from talentsync.errors import InvalidAudioError, InvalidObjectKeyError
from talentsync.transcription.object_key import (
    file_name_of,
    ids_in_key,
    parse_object_key,
)

USER, SESSION, QUESTION, UPLOAD = (uuid.uuid4() for _ in range(4))


def key(ext: str = "wav", prefix: str = "audio") -> str:
    return f"{prefix}/{USER}/{SESSION}/{QUESTION}/{UPLOAD}.{ext}"


def test_contract_key_splits_into_its_ids_and_extension() -> None:
    parsed = parse_object_key(key("webm"))

    assert (parsed.user_id, parsed.session_id, parsed.question_id) == (
        USER,
        SESSION,
        QUESTION,
    )
    assert parsed.upload_id == UPLOAD
    assert parsed.extension == "webm"
    assert parsed.file_name == f"{UPLOAD}.webm"


@pytest.mark.parametrize("ext", ["wav", "mp3", "m4a", "mp4", "webm", "ogg", "flac"])
def test_every_contract_extension_is_accepted(ext: str) -> None:
    assert parse_object_key(key(ext)).extension == ext


def test_key_outside_the_audio_prefix_is_refused() -> None:
    with pytest.raises(InvalidObjectKeyError, match="must start with 'audio/'"):
        parse_object_key(key(prefix="uploads"))


def test_key_with_a_missing_segment_is_refused() -> None:
    with pytest.raises(InvalidObjectKeyError, match="it has 4 path segments"):
        parse_object_key(f"audio/{USER}/{SESSION}/{UPLOAD}.wav")


def test_key_with_a_non_uuid_id_names_the_id() -> None:
    bad = f"audio/{USER}/not-a-session/{QUESTION}/{UPLOAD}.wav"

    with pytest.raises(InvalidObjectKeyError, match="session_id 'not-a-session'"):
        parse_object_key(bad)


def test_uuid_without_hyphens_is_not_the_contract_form() -> None:
    bad = f"audio/{USER.hex}/{SESSION}/{QUESTION}/{UPLOAD}.wav"

    with pytest.raises(InvalidObjectKeyError, match="user_id"):
        parse_object_key(bad)


def test_file_name_without_an_extension_is_refused() -> None:
    with pytest.raises(InvalidObjectKeyError, match="has no extension"):
        parse_object_key(f"audio/{USER}/{SESSION}/{QUESTION}/{UPLOAD}")


def test_extension_outside_the_contract_is_refused_as_audio() -> None:
    with pytest.raises(InvalidAudioError, match="extension 'txt' is not allowed"):
        parse_object_key(key("txt"))


def test_ids_are_salvaged_from_a_key_that_breaks_the_contract() -> None:
    ids = ids_in_key(f"audio/{USER}/garbage/{QUESTION}/{UPLOAD}.exe")

    assert (ids.user_id, ids.session_id, ids.question_id) == (USER, None, QUESTION)


def test_a_short_key_salvages_what_it_has() -> None:
    assert ids_in_key(f"audio/{USER}").user_id == USER


def test_file_name_is_cut_to_the_column_width() -> None:
    assert len(file_name_of("audio/" + "x" * 400 + ".wav")) == 255
