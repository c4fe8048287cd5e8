"""Size and magic-number checks on an upload, before any vendor sees it."""

from __future__ import annotations

import pytest

from talentsync.errors import InvalidAudioError
from talentsync.transcription.validation import (
    check_complete,
    check_magic,
    check_size,
)

HEADERS = {
    "wav": b"RIFF\x24\x08\x00\x00WAVEfmt ",
    "mp3": b"ID3\x04\x00\x00\x00\x00\x00\x21TIT2",
    "m4a": b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00",
    "mp4": b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00",
    "webm": b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81",
    "ogg": b"OggS\x00\x02\x00\x00\x00\x00\x00\x00",
    "flac": b"fLaC\x00\x00\x00\x22\x10\x00\x10\x00",
}


@pytest.mark.parametrize("ext", list(HEADERS))
def test_each_format_accepts_its_own_signature(ext: str) -> None:
    check_magic(HEADERS[ext], ext)


@pytest.mark.parametrize("ext", list(HEADERS))
def test_each_format_refuses_text(ext: str) -> None:
    with pytest.raises(InvalidAudioError, match=f"not {ext} audio"):
        check_magic(b"hello, this is not audio", ext)


def test_wav_claim_refuses_ogg_bytes() -> None:
    with pytest.raises(InvalidAudioError, match="expected a RIFF/WAVE header"):
        check_magic(HEADERS["ogg"], "wav")


def test_riff_that_is_not_wave_is_refused() -> None:
    with pytest.raises(InvalidAudioError):
        check_magic(b"RIFF\x24\x08\x00\x00AVI LIST", "wav")


def test_mp3_without_a_tag_is_accepted_by_its_frame_sync() -> None:
    check_magic(b"\xff\xfb\x90\x64\x00\x00", "mp3")


def test_adts_aac_frame_is_not_an_mp3() -> None:
    with pytest.raises(InvalidAudioError):
        check_magic(b"\xff\xf1\x50\x80\x02\x1f", "mp3")


def test_empty_object_is_refused() -> None:
    with pytest.raises(InvalidAudioError, match="empty"):
        check_size(0, 1000)


def test_object_above_the_limit_is_refused_with_both_sizes() -> None:
    with pytest.raises(InvalidAudioError, match="1001 bytes, above the limit of 1000"):
        check_size(1001, 1000)


def test_object_at_the_limit_is_accepted() -> None:
    check_size(1000, 1000)


def riff_header(declared_size: int) -> bytes:
    return b"RIFF" + (declared_size - 8).to_bytes(4, "little") + b"WAVEfmt "


def test_a_wav_shorter_than_its_header_declares_is_truncated() -> None:
    with pytest.raises(InvalidAudioError, match=r"truncated: .* declares 32044 bytes"):
        check_complete(riff_header(32_044), 44, "wav")


def test_a_complete_wav_passes() -> None:
    check_complete(riff_header(32_044), 32_044, "wav")


@pytest.mark.parametrize("declared", [8, 0xFFFFFFFF + 8])
def test_a_streamed_wav_with_unknown_length_passes(declared: int) -> None:
    check_complete(riff_header(declared), 44, "wav")


def test_other_formats_are_not_length_checked() -> None:
    check_complete(b"OggS\x00\x02" + bytes(10), 20, "ogg")
