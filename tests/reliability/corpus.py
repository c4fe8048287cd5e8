"""The bad-input corpus: hostile or broken input at every entry point, one list.

Each case names its entry point (`kind`) and what must come of it:

- `audio`: an object body uploaded under a valid answer key -> the transcription
  row ends `failed` for good, with a reason containing `expect`;
- `key`: an S3 key (a valid WAV under it) -> the same, for the key;
- `event`: a whole S3 event -> the handler raises `expect` (an error class name),
  or records a failed row when `expect` is "recorded";
- `step`: a state machine input to one task -> the task raises `expect`, which
  Step Functions' Catch sends to RecordFailure;
- `api`: an API request -> the status `expect`, never a 500.

The API's own hostile-input and isolation suites (tests/functional/test_api_*)
go further on each route; this corpus keeps one case of each kind beside the rest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

# Placeholders the test fills in: a real user, session and question of the
# database, another user's session, and a completed transcription.
USER = "{user}"
SESSION = "{session}"
QUESTION = "{question}"
OTHER_SESSION = "{other_session}"
TRANSCRIPTION = "{transcription}"
NOT_A_UUID = "not-a-uuid"
NIL = "00000000-0000-0000-0000-000000000000"
UNKNOWN = "7c9e6679-7425-40de-944b-e07fc1f90ae7"


@dataclass(frozen=True)
class Case:
    name: str
    kind: str
    payload: Any
    expect: Any
    extra: dict[str, Any] = field(default_factory=dict)


def wav_header_only() -> bytes:
    return b"RIFF\x24\x00\x00\x00WAVEfmt "


def nested(depth: int) -> Any:
    value: Any = "deep"
    for _ in range(depth):
        value = {"a": value}
    return value


VALID_PREFIX = f"audio/{USER}/{SESSION}/{QUESTION}"

AUDIO_CASES = [
    Case("zero-bytes", "audio", b"", "empty"),
    # A WAV cut off after its header: the RIFF length gives it away before any
    # vendor is called.
    Case("wav-header-only", "audio", wav_header_only(), "truncated"),
    Case("random-bytes-as-wav", "audio", bytes(range(256)) * 8, "not wav audio"),
    Case("png-as-wav", "audio", b"\x89PNG\r\n\x1a\n" + b"\x00" * 512, "not wav audio"),
    Case(
        "text-as-mp3",
        "audio",
        b"hello, this is not audio\n" * 20,
        "not mp3 audio",
        {"ext": "mp3"},
    ),
    Case(
        "wav-as-ogg",
        "audio",
        b"RIFF\x00\x00\x00\x00WAVE" + b"\x00" * 256,
        "not ogg audio",
        {"ext": "ogg"},
    ),
    Case(
        "pdf-as-flac",
        "audio",
        b"%PDF-1.7\n" + b"\x00" * 256,
        "not flac audio",
        {"ext": "flac"},
    ),
    Case(
        "zip-as-m4a",
        "audio",
        b"PK\x03\x04" + b"\x00" * 256,
        "not m4a audio",
        {"ext": "m4a"},
    ),
    Case(
        "html-as-webm",
        "audio",
        b"<!doctype html><p>hi</p>" * 10,
        "not webm audio",
        {"ext": "webm"},
    ),
    Case(
        "elf-as-mp4",
        "audio",
        b"\x7fELF" + b"\x00" * 256,
        "not mp4 audio",
        {"ext": "mp4"},
    ),
    # The event claims a terabyte; the function trusts the object S3 holds (four
    # bytes), not the event, so the magic check is what refuses it.
    Case(
        "huge-declared-size",
        "audio",
        b"RIFF",
        "not wav audio",
        {"declared_size": 10**12},
    ),
]

KEY_CASES = [
    Case(
        "user-not-a-uuid",
        "key",
        f"audio/{NOT_A_UUID}/{SESSION}/{QUESTION}/x.wav",
        "user_id 'not-a-uuid' in the key is not a UUID",
    ),
    Case(
        "session-not-a-uuid",
        "key",
        f"audio/{USER}/{NOT_A_UUID}/{QUESTION}/x.wav",
        "session_id 'not-a-uuid' in the key is not a UUID",
    ),
    Case(
        "question-not-a-uuid",
        "key",
        f"audio/{USER}/{SESSION}/{NOT_A_UUID}/x.wav",
        "question_id 'not-a-uuid' in the key is not a UUID",
    ),
    Case(
        "upload-not-a-uuid",
        "key",
        f"{VALID_PREFIX}/not-a-uuid.wav",
        "upload_id 'not-a-uuid' in the key is not a UUID",
    ),
    Case(
        "session-that-does-not-exist",
        "key",
        f"audio/{USER}/{UNKNOWN}/{QUESTION}/{UNKNOWN}.wav",
        "does not exist",
    ),
    Case(
        "another-users-session",
        "key",
        f"audio/{USER}/{OTHER_SESSION}/{QUESTION}/{UNKNOWN}.wav",
        "does not exist",
    ),
    Case(
        "question-that-does-not-exist",
        "key",
        f"audio/{USER}/{SESSION}/{UNKNOWN}/{UNKNOWN}.wav",
        "does not exist",
    ),
    Case(
        "nil-user",
        "key",
        f"audio/{NIL}/{SESSION}/{QUESTION}/{UNKNOWN}.wav",
        "does not exist for user 00000000-0000-0000-0000-000000000000",
    ),
    Case(
        "path-traversal",
        "key",
        f"audio/../../{USER}/{SESSION}/{UNKNOWN}.wav",
        "has 6 path segments instead of 5",
    ),
    Case(
        "dot-segments",
        "key",
        f"audio/{USER}/./{SESSION}/../{QUESTION}/{UNKNOWN}.wav",
        "has 7 path segments instead of 5",
    ),
    Case(
        "unicode-in-key",
        "key",
        f"audio/ü😀/{SESSION}/{QUESTION}/{UNKNOWN}.wav",
        "user_id 'ü😀' in the key is not a UUID",
    ),
    Case(
        "unicode-lookalike-digits",
        "key",
        f"audio/{USER}/{SESSION}/{QUESTION}/{UNKNOWN[:-1]}٣.wav",
        "٣' in the key is not a UUID",
    ),
    Case(
        "spaces-in-key",
        "key",
        f"audio/{USER} /{SESSION}/{QUESTION}/{UNKNOWN}.wav",
        " ' in the key is not a UUID",
    ),
    Case(
        "extension-not-allowed",
        "key",
        f"{VALID_PREFIX}/{UNKNOWN}.exe",
        "the extension 'exe' is not allowed",
    ),
    Case("no-extension", "key", f"{VALID_PREFIX}/{UNKNOWN}", "has no extension"),
    Case(
        "double-extension",
        "key",
        f"{VALID_PREFIX}/{UNKNOWN}.wav.exe",
        ".wav' in the key is not a UUID",
    ),
    Case(
        "too-few-parts",
        "key",
        f"audio/{USER}/{SESSION}/{UNKNOWN}.wav",
        "has 4 path segments instead of 5",
    ),
    Case(
        "too-many-parts",
        "key",
        f"{VALID_PREFIX}/extra/{UNKNOWN}.wav",
        "has 6 path segments instead of 5",
    ),
    Case(
        "wrong-prefix",
        "key",
        f"uploads/{USER}/{SESSION}/{QUESTION}/{UNKNOWN}.wav",
        "the key must start with 'audio/'",
    ),
    Case("very-long-key", "key", f"{VALID_PREFIX}/{'a' * 900}.wav", "upload_id 'aaaa"),
]

EVENT_CASES = [
    Case("event-empty-object", "event", {}, "MalformedEventError"),
    Case("event-records-not-a-list", "event", {"Records": "x"}, "MalformedEventError"),
    Case(
        "event-record-without-s3",
        "event",
        {"Records": [{"eventName": "ObjectCreated:Put"}]},
        "MalformedEventError",
    ),
    Case("event-negative-size", "event", {"size": -1}, "MalformedEventError"),
    Case("event-empty-etag", "event", {"eTag": ""}, "MalformedEventError"),
    Case(
        "event-deeply-nested",
        "event",
        {"Records": [nested(200)]},
        "MalformedEventError",
    ),
    Case("event-no-records", "event", {"Records": []}, "nothing"),
    Case(
        "event-object-removed",
        "event",
        {"eventName": "ObjectRemoved:Delete"},
        "nothing",
    ),
]

STEP_CASES = [
    Case("step-empty-input", "step", {}, "ValidationError", {"function": "interview"}),
    Case(
        "step-ids-not-uuids",
        "step",
        {
            "transcription_id": NOT_A_UUID,
            "session_id": NOT_A_UUID,
            "question_id": NOT_A_UUID,
            "user_id": NOT_A_UUID,
        },
        "ValidationError",
        {"function": "interview"},
    ),
    Case(
        "step-unknown-session",
        "step",
        {
            "transcription_id": TRANSCRIPTION,
            "session_id": UNKNOWN,
            "question_id": QUESTION,
            "user_id": USER,
        },
        "NotFoundError",
        {"function": "interview"},
    ),
    Case(
        "step-another-users-session",
        "step",
        {
            "transcription_id": TRANSCRIPTION,
            "session_id": OTHER_SESSION,
            "question_id": QUESTION,
            "user_id": USER,
        },
        "NotFoundError",
        {"function": "interview"},
    ),
    Case(
        "step-unknown-transcription",
        "step",
        {
            "transcription_id": UNKNOWN,
            "session_id": SESSION,
            "question_id": QUESTION,
            "user_id": USER,
        },
        "NotFoundError",
        {"function": "interview"},
    ),
    Case(
        "step-deeply-nested",
        "step",
        nested(300),
        "ValidationError",
        {"function": "interview"},
    ),
    Case(
        "step-oversized-field",
        "step",
        {
            "transcription_id": "a" * 1_000_000,
            "session_id": SESSION,
            "question_id": QUESTION,
            "user_id": USER,
        },
        "ValidationError",
        {"function": "interview"},
    ),
    Case(
        "next-question-unknown-session",
        "step",
        {"session_id": UNKNOWN, "response_id": UNKNOWN},
        "NotFoundError",
        {"function": "followup"},
    ),
    Case(
        "next-question-ids-not-uuids",
        "step",
        {"session_id": NOT_A_UUID, "response_id": "../../etc"},
        "ValidationError",
        {"function": "followup"},
    ),
    Case(
        "score-unknown-response",
        "step",
        {"session_id": SESSION, "response_id": UNKNOWN},
        "NotFoundError",
        {"function": "feedback"},
    ),
    Case(
        "score-unknown-session",
        "step",
        {"session_id": UNKNOWN, "response_id": UNKNOWN},
        "NotFoundError",
        {"function": "feedback"},
    ),
    Case(
        "score-ids-not-uuids",
        "step",
        {"session_id": "1 OR 1=1", "response_id": ""},
        "ValidationError",
        {"function": "feedback"},
    ),
]

API_CASES = [
    Case("api-no-claims", "api", ("GET", "/sessions", None), 401, {"signed_in": False}),
    Case("api-id-not-a-uuid", "api", ("GET", f"/sessions/{NOT_A_UUID}", None), 422),
    Case(
        "api-path-traversal-id",
        "api",
        ("GET", "/transcriptions/..%2F..%2Fetc", None),
        422,
    ),
    Case("api-unknown-session", "api", ("GET", f"/sessions/{UNKNOWN}", None), 404),
    Case(
        "api-another-users-session",
        "api",
        ("GET", f"/sessions/{OTHER_SESSION}", None),
        404,
    ),
    Case("api-malformed-json", "api", ("POST", "/sessions", '{"job_position": '), 400),
    Case(
        "api-deeply-nested-json",
        "api",
        ("POST", "/sessions", "[" * 5000 + "]" * 5000),
        400,
    ),
    Case(
        "api-oversized-body",
        "api",
        ("POST", "/sessions", json.dumps({"job_position": "x" * 100_000})),
        413,
    ),
    Case("api-body-not-an-object", "api", ("POST", "/sessions", "[1, 2, 3]"), 422),
    Case(
        "api-unicode-nul",
        "api",
        (
            "POST",
            "/sessions",
            {
                "job_position": "a\u0000b",
                "difficulty_level": "easy",
                "total_questions": 1,
            },
        ),
        422,
    ),
    Case(
        "api-upload-for-unknown-session",
        "api",
        (
            "POST",
            f"/sessions/{UNKNOWN}/uploads",
            {"question_id": UNKNOWN, "content_type": "audio/wav", "size_bytes": 1000},
        ),
        404,
    ),
    Case("api-unknown-route", "api", ("GET", "/../../etc/passwd", None), 404),
]

CORPUS = AUDIO_CASES + KEY_CASES + EVENT_CASES + STEP_CASES + API_CASES


def of_kind(kind: str) -> list[Case]:
    return [case for case in CORPUS if case.kind == kind]
