"""Checks an upload passes before any vendor sees it.

Each check raises `InvalidAudioError` with a message that names what is wrong,
since that message is what the candidate's failed transcription shows. The
magic-number check reads only the first bytes of the file: it tells audio of the
claimed container from anything else, it does not decode the audio.
"""

from __future__ import annotations

from collections.abc import Callable

from talentsync.errors import InvalidAudioError

ALLOWED_EXTENSIONS = ("wav", "mp3", "m4a", "mp4", "webm", "ogg", "flac")
# Enough bytes for the longest signature below (RIFF....WAVE).
HEADER_BYTES = 16

# What the vendors are told the upload is, by extension.
CONTENT_TYPES = {
    "wav": "audio/wav",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "mp4": "audio/mp4",
    "webm": "audio/webm",
    "ogg": "audio/ogg",
    "flac": "audio/flac",
}


def check_extension(extension: str) -> str:
    """The extension, if the pipeline transcribes that format."""
    if extension not in ALLOWED_EXTENSIONS:
        allowed = ", ".join(ALLOWED_EXTENSIONS)
        raise InvalidAudioError(
            f"the extension {extension!r} is not allowed; allowed: {allowed}"
        )
    return extension


def check_size(size_bytes: int, max_bytes: int) -> None:
    """Refuse an empty object or one above MAX_AUDIO_BYTES."""
    if size_bytes <= 0:
        raise InvalidAudioError("the uploaded object is empty (0 bytes)")
    if size_bytes > max_bytes:
        raise InvalidAudioError(
            f"the uploaded object is {size_bytes} bytes, above the limit of"
            f" {max_bytes} bytes (MAX_AUDIO_BYTES)"
        )


def check_magic(header: bytes, extension: str) -> None:
    """Refuse bytes that do not start the way the claimed format starts."""
    matches, expected = SIGNATURES[extension]
    if not matches(header):
        raise InvalidAudioError(
            f"the bytes are not {extension} audio: expected {expected} at the start"
            " of the file"
        )


def check_complete(header: bytes, size_bytes: int, extension: str) -> None:
    """Refuse a WAV file shorter than its RIFF header says it is.

    Only WAV declares its length up front; a recording cut off mid-upload keeps
    its header and would otherwise reach the vendors. Writers that stream set the
    length to 0 or 0xFFFFFFFF (unknown), which is accepted. RF64 keeps the real
    length elsewhere and is not checked.
    """
    if extension != "wav" or header[:4] != b"RIFF" or len(header) < 8:
        return
    declared = int.from_bytes(header[4:8], "little") + 8
    if declared in (8, 0xFFFFFFFF + 8):
        return
    if size_bytes < declared:
        raise InvalidAudioError(
            f"the WAV file is truncated: its header declares {declared} bytes,"
            f" the object has {size_bytes}"
        )


def _is_wav(header: bytes) -> bool:
    # RF64 is the same layout for files above 4 GB.
    return header[:4] in (b"RIFF", b"RF64") and header[8:12] == b"WAVE"


def _is_mp3(header: bytes) -> bool:
    return header[:3] == b"ID3" or _is_mpeg_audio_frame(header)


def _is_mpeg_audio_frame(header: bytes) -> bool:
    # 11 sync bits, then version (01 reserved) and layer (00 reserved; ADTS AAC
    # uses it) bits that a real MPEG audio frame never sets to the reserved value.
    if len(header) < 2 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return False
    version_bits = (header[1] >> 3) & 0b11
    layer_bits = (header[1] >> 1) & 0b11
    return version_bits != 0b01 and layer_bits != 0b00


def _is_iso_media(header: bytes) -> bool:
    # ISO base media (m4a, mp4): a box size, then the `ftyp` box type.
    return header[4:8] == b"ftyp"


def _is_webm(header: bytes) -> bool:
    return header[:4] == b"\x1a\x45\xdf\xa3"


def _is_ogg(header: bytes) -> bool:
    return header[:4] == b"OggS"


def _is_flac(header: bytes) -> bool:
    # NOTE: a FLAC file with an ID3 tag prepended (non-standard, written by a few
    # taggers) is refused; the native `fLaC` marker must open the file.
    return header[:4] == b"fLaC"


SIGNATURES: dict[str, tuple[Callable[[bytes], bool], str]] = {
    "wav": (_is_wav, "a RIFF/WAVE header"),
    "mp3": (_is_mp3, "an ID3 tag or an MPEG audio frame sync"),
    "m4a": (_is_iso_media, "an 'ftyp' box"),
    "mp4": (_is_iso_media, "an 'ftyp' box"),
    "webm": (_is_webm, "the EBML marker 1A45DFA3"),
    "ogg": (_is_ogg, "the 'OggS' capture pattern"),
    "flac": (_is_flac, "the 'fLaC' marker"),
}
