"""The upload key contract.

Keys look like `audio/{user_id}/{session_id}/{question_id}/{upload_id}.{ext}`.

Every id is a UUID in its canonical hyphenated form and the extension is one of
the formats the pipeline transcribes. A key that breaks the contract is still
recorded (as a failed transcription), so `ids_in_key` salvages whatever ids the
key does carry for that row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from uuid import UUID

from talentsync.errors import InvalidObjectKeyError
from talentsync.transcription.validation import check_extension

KEY_PREFIX = "audio"
KEY_TEMPLATE = "audio/{user_id}/{session_id}/{question_id}/{upload_id}.{ext}"
ID_NAMES = ("user_id", "session_id", "question_id")
UUID_PATTERN = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
# file_name is VARCHAR(255) in the data model.
FILE_NAME_MAX_CHARS = 255


@dataclass(frozen=True)
class AudioObjectKey:
    """A key that follows the contract, split into its parts."""

    user_id: UUID
    session_id: UUID
    question_id: UUID
    upload_id: UUID
    extension: str

    @property
    def file_name(self) -> str:
        return f"{self.upload_id}.{self.extension}"


@dataclass(frozen=True)
class KeyIds:
    """The ids a key carries in their contract positions, None where it has none."""

    user_id: UUID | None = None
    session_id: UUID | None = None
    question_id: UUID | None = None


def parse_object_key(key: str) -> AudioObjectKey:
    """Split a decoded key; raise InvalidObjectKeyError or InvalidAudioError."""
    parts = key.split("/")
    _check_shape(parts)
    ids = {
        name: _parse_id(name, text)
        for name, text in zip(ID_NAMES, parts[1:4], strict=True)
    }
    upload_text, extension = _split_file_name(parts[4])
    return AudioObjectKey(
        **ids,
        upload_id=_parse_id("upload_id", upload_text),
        extension=check_extension(extension),
    )


def ids_in_key(key: str) -> KeyIds:
    """The user, session and question ids found where the contract puts them."""
    parts = key.split("/")
    found = {
        name: UUID(text)
        # A short key has fewer parts than names: zip stops at the shorter.
        for name, text in zip(ID_NAMES, parts[1:4], strict=False)
        if UUID_PATTERN.match(text)
    }
    return KeyIds(**found)


def file_name_of(key: str) -> str:
    """The last path segment, cut to what the `file_name` column holds."""
    return key.rsplit("/", 1)[-1][:FILE_NAME_MAX_CHARS] or "(empty)"


def _check_shape(parts: list[str]) -> None:
    if parts[0] != KEY_PREFIX:
        raise InvalidObjectKeyError(f"the key must start with '{KEY_PREFIX}/'")
    if len(parts) != 5:
        raise InvalidObjectKeyError(
            f"the key must be {KEY_TEMPLATE}; it has {len(parts)} path segments"
            " instead of 5"
        )


def _parse_id(name: str, text: str) -> UUID:
    if not UUID_PATTERN.match(text):
        raise InvalidObjectKeyError(f"{name} {text!r} in the key is not a UUID")
    return UUID(text)


def _split_file_name(file_name: str) -> tuple[str, str]:
    stem, dot, extension = file_name.rpartition(".")
    if not dot:
        raise InvalidObjectKeyError(
            f"the file name {file_name!r} has no extension; expected"
            " {upload_id}.{ext}"
        )
    return stem, extension
