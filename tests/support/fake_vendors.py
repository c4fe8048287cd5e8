"""Fake OpenAI and AssemblyAI on 127.0.0.1, for the real SDKs to talk to.

One threaded HTTP server, started once per test run on a random port, speaks
enough of both APIs for the official SDKs:

- OpenAI `POST /v1/audio/transcriptions` (multipart) -> verbose_json, with
  segments (avg_logprob, timings) and words;
- AssemblyAI `POST /v2/upload`, `POST /v2/transcript`, `GET /v2/transcript/{id}`
  (queued, then processing, then completed or error).

Each test gets it clean through the `fake_vendors` fixture, which points the
settings at it (OPENAI_BASE_URL, ASSEMBLYAI_BASE_URL, test keys, short
timeouts) and lets the test inject one fault per vendor and read the calls made.
"""

from __future__ import annotations

import contextlib
import email.parser
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from talentsync import settings as settings_module

OPENAI_TEXT = (
    "I would start by asking who is affected by the outage. Then I would roll back"
    " the last deployment and write down what we learned."
)
ASSEMBLYAI_TEXT = (
    "First I reproduce the bug with a failing test. Then I fix it and keep the"
    " test so it cannot come back."
)
# Client timeouts the fixture configures, and how long a "slow" reply takes.
CLIENT_TIMEOUT_SECONDS = 0.5
SLOW_REPLY_SECONDS = 1.5
SECONDS_PER_WORD = 0.35


class Fault(StrEnum):
    HTTP_500 = "http_500"
    HTTP_429 = "http_429"
    HTTP_400 = "http_400"
    SLOW = "slow"  # the reply comes after the client's timeout
    MALFORMED = "malformed"  # 200 with a body that is not the API's JSON
    LOW_CONFIDENCE = "low_confidence"
    STATUS_ERROR = "status_error"  # AssemblyAI only: the transcript ends in error
    NEVER_COMPLETES = "never_completes"  # AssemblyAI only: polling runs out


@dataclass
class VendorCall:
    vendor: str
    method: str
    path: str
    api_key: str  # test keys only: which key the SDK sent
    body_bytes: int
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class VendorBehaviour:
    """What one fake vendor does for the current test."""

    text: str
    fault: Fault | None = None
    # AssemblyAI: how many polls see `processing` before the transcript is done.
    polls_before_done: int = 1
    # A pause before every reply, shorter than the client's timeout.
    delay_seconds: float = 0.0


class FakeVendors:
    """The server's state: behaviour per vendor, calls made, live transcripts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: list[VendorCall] = []
        self.openai = VendorBehaviour(OPENAI_TEXT)
        self.assemblyai = VendorBehaviour(ASSEMBLYAI_TEXT)
        self.transcripts: dict[str, dict[str, Any]] = {}
        # Time spent answering, from a request's last byte to the reply sent:
        # what the vendor itself adds to a call, for the benchmarks to subtract.
        self.answering_seconds = 0.0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.vendors = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.transcripts.clear()
            self.answering_seconds = 0.0
        self.openai = VendorBehaviour(OPENAI_TEXT)
        self.assemblyai = VendorBehaviour(ASSEMBLYAI_TEXT)

    def record(self, call: VendorCall) -> None:
        with self._lock:
            self.calls.append(call)

    @contextlib.contextmanager
    def answering(self) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            with self._lock:
                self.answering_seconds += time.perf_counter() - started

    def calls_to(self, vendor: str) -> list[VendorCall]:
        with self._lock:
            return [call for call in self.calls if call.vendor == vendor]


# -- replies ------------------------------------------------------------------


def openai_verbose_json(text: str, low_confidence: bool) -> dict[str, Any]:
    """A realistic verbose_json reply: one segment per sentence, timed words."""
    avg_logprob = -2.3 if low_confidence else -0.18
    segments, words, clock = [], [], 0.0
    for index, sentence in enumerate(_sentences(text)):
        start = clock
        for word in sentence.split():
            words.append(
                {"word": word.strip(".,?!"), "start": clock, "end": clock + 0.3}
            )
            clock += SECONDS_PER_WORD
        segments.append(
            {
                "id": index,
                "seek": 0,
                "start": round(start, 2),
                "end": round(clock, 2),
                "text": " " + sentence,
                "tokens": [50364 + n for n in range(len(sentence.split()))],
                "temperature": 0.0,
                "avg_logprob": avg_logprob - 0.02 * index,
                "compression_ratio": 1.3,
                "no_speech_prob": 0.01,
            }
        )
    return {
        "task": "transcribe",
        "language": "english",
        "duration": round(clock, 2),
        "text": text,
        "segments": segments,
        "words": words,
        "usage": {"type": "duration", "seconds": round(clock)},
    }


def assemblyai_transcript(
    transcript_id: str, audio_url: str, status: str, behaviour: VendorBehaviour
) -> dict[str, Any]:
    reply: dict[str, Any] = {
        "id": transcript_id,
        "audio_url": audio_url,
        "status": status,
        "language_code": "en_us",
        "punctuate": True,
        "format_text": True,
    }
    if status == "error":
        reply["error"] = "Transcoding failed. File does not appear to contain audio."
    if status == "completed":
        reply.update(_assemblyai_result(behaviour))
    return reply


def _assemblyai_result(behaviour: VendorBehaviour) -> dict[str, Any]:
    low = behaviour.fault == Fault.LOW_CONFIDENCE
    confidence = 0.21 if low else 0.93
    words, clock_ms = [], 0
    for index, word in enumerate(behaviour.text.split()):
        word_confidence = confidence - (0.05 if index % 3 == 0 else 0.0)
        words.append(
            {
                "text": word,
                "start": clock_ms,
                "end": clock_ms + 300,
                "confidence": round(word_confidence, 3),
                "speaker": None,
            }
        )
        clock_ms += int(SECONDS_PER_WORD * 1000)
    return {
        "text": behaviour.text,
        "words": words,
        "confidence": confidence,
        "audio_duration": max(1, clock_ms // 1000),
    }


def _sentences(text: str) -> list[str]:
    sentences, current = [], []
    for word in text.split():
        current.append(word)
        if word.endswith((".", "?", "!")):
            sentences.append(" ".join(current))
            current = []
    if current:
        sentences.append(" ".join(current))
    return sentences


# -- the HTTP side ------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without TCP_NODELAY, Nagle's
    # algorithm and the client's delayed ACK add ~40 ms to every reply.
    disable_nagle_algorithm = True
    server: Any

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the calls are recorded instead."""

    @property
    def vendors(self) -> FakeVendors:
        return self.server.vendors  # type: ignore[no-any-return]

    def do_POST(self) -> None:
        body = self._read_body()
        with self.vendors.answering():
            self._answer_post(body)

    def do_GET(self) -> None:
        with self.vendors.answering():
            self._answer_get()

    def _answer_post(self, body: bytes) -> None:
        if self.path == "/v1/audio/transcriptions":
            self._openai_transcription(body)
        elif self.path == "/v2/upload":
            self._assemblyai_upload(body)
        elif self.path == "/v2/transcript":
            self._assemblyai_create(body)
        else:
            self._reply(404, {"error": f"no route {self.path}"})

    def _answer_get(self) -> None:
        if self.path.startswith("/v2/transcript/"):
            self._assemblyai_poll(self.path.rsplit("/", 1)[-1])
        else:
            self._reply(404, {"error": f"no route {self.path}"})

    # -- OpenAI

    def _openai_transcription(self, body: bytes) -> None:
        fields = _multipart_fields(self.headers.get("Content-Type", ""), body)
        self._record("openai", body, fields)
        behaviour = self.vendors.openai
        if behaviour.delay_seconds:
            time.sleep(behaviour.delay_seconds)
        if not self._authorized() or self._fault_reply(behaviour.fault, "openai"):
            return
        low = behaviour.fault == Fault.LOW_CONFIDENCE
        self._reply(200, openai_verbose_json(behaviour.text, low))

    # -- AssemblyAI

    def _assemblyai_upload(self, body: bytes) -> None:
        self._record("assemblyai", body)
        behaviour = self.vendors.assemblyai
        if not self._authorized() or self._fault_reply(behaviour.fault, "assemblyai"):
            return
        upload_url = f"{self.vendors.base_url}/v2/files/{uuid.uuid4().hex}"
        self._reply(200, {"upload_url": upload_url})

    def _assemblyai_create(self, body: bytes) -> None:
        request = json.loads(body or b"{}")
        self._record("assemblyai", body, {"audio_url": request.get("audio_url", "")})
        if not self._authorized():
            return
        transcript_id = uuid.uuid4().hex
        self.vendors.transcripts[transcript_id] = {
            "audio_url": request["audio_url"],
            "polls": 0,
        }
        behaviour = self.vendors.assemblyai
        reply = assemblyai_transcript(
            transcript_id, request["audio_url"], "queued", behaviour
        )
        self._reply(200, reply)

    def _assemblyai_poll(self, transcript_id: str) -> None:
        self._record("assemblyai", b"")
        state = self.vendors.transcripts.get(transcript_id)
        if not self._authorized():
            return
        if state is None:
            self._reply(404, {"error": "transcript not found"})
            return
        state["polls"] += 1
        behaviour = self.vendors.assemblyai
        status = _poll_status(behaviour, state["polls"])
        if status == "completed" and behaviour.fault == Fault.MALFORMED:
            self._reply_raw(200, b'{"id": "' + transcript_id.encode() + b'", "status":')
            return
        reply = assemblyai_transcript(
            transcript_id, state["audio_url"], status, behaviour
        )
        self._reply(200, reply)

    # -- shared

    def _fault_reply(self, fault: Fault | None, vendor: str) -> bool:
        """Answer with the injected fault, if it is one that replaces the reply."""
        if fault == Fault.HTTP_500:
            self._reply(500, _error_body(vendor, "The server had an error."))
        elif fault == Fault.HTTP_429:
            self._reply(429, _error_body(vendor, "Rate limit reached."))
        elif fault == Fault.HTTP_400:
            self._reply(400, _error_body(vendor, "Invalid file format."))
        elif fault == Fault.SLOW:
            time.sleep(SLOW_REPLY_SECONDS)
            self._reply(500, _error_body(vendor, "too late"))
        elif fault == Fault.MALFORMED and vendor == "openai":
            self._reply_raw(200, b'{"text": "truncated')
        else:
            return False
        return True

    def _authorized(self) -> bool:
        if self.headers.get("Authorization"):
            return True
        self._reply(401, {"error": "missing API key"})
        return False

    def _record(
        self, vendor: str, body: bytes, fields: dict[str, str] | None = None
    ) -> None:
        call = VendorCall(
            vendor=vendor,
            method=self.command,
            path=self.path,
            api_key=self.headers.get("Authorization", "").removeprefix("Bearer "),
            body_bytes=len(body),
            fields=fields or {},
        )
        self.vendors.record(call)

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._read_chunked()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _read_chunked(self) -> bytes:
        chunks = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip(), 16)
            if size == 0:
                self.rfile.readline()
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def _reply(self, status: int, payload: dict[str, Any]) -> None:
        self._reply_raw(status, json.dumps(payload).encode())

    def _reply_raw(self, status: int, body: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first (a timeout fault): nothing to tell it


def _poll_status(behaviour: VendorBehaviour, polls: int) -> str:
    if behaviour.fault == Fault.NEVER_COMPLETES or polls <= behaviour.polls_before_done:
        return "processing"
    if behaviour.fault == Fault.STATUS_ERROR:
        return "error"
    return "completed"


def _error_body(vendor: str, message: str) -> dict[str, Any]:
    if vendor == "openai":
        return {"error": {"message": message, "type": "server_error", "code": None}}
    return {"error": message}


def _multipart_fields(content_type: str, body: bytes) -> dict[str, str]:
    """Form fields of a multipart body; the file as its name, type and size."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = email.parser.BytesParser().parsebytes(head + body)
    fields: dict[str, str] = {}
    for part in message.get_payload() if message.is_multipart() else []:
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        if part.get_filename():
            fields["file_name"] = part.get_filename()
            fields["file_content_type"] = part.get_content_type()
            fields["file_bytes"] = str(len(payload))
        elif name in fields:
            fields[name] += "," + payload.decode()
        else:
            fields[name] = payload.decode()
    return fields


# -- fixtures -------------------------------------------------------------------


@pytest.fixture(scope="session")
def fake_vendor_server() -> Iterator[FakeVendors]:
    vendors = FakeVendors()
    vendors.start()
    yield vendors
    vendors.stop()


@pytest.fixture
def fake_vendors(
    fake_vendor_server: FakeVendors, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeVendors]:
    """Both fakes, healthy and with no calls yet; the settings point at them."""
    fake_vendor_server.reset()
    environment = {
        "OPENAI_BASE_URL": f"{fake_vendor_server.base_url}/v1",
        "ASSEMBLYAI_BASE_URL": fake_vendor_server.base_url,
        "OPENAI_API_KEY": "sk-test-openai-key",
        "ASSEMBLYAI_API_KEY": "test-assemblyai-key",
        "TRANSCRIPTION_PROVIDERS": "openai,assemblyai",
        "OPENAI_TIMEOUT_SECONDS": str(CLIENT_TIMEOUT_SECONDS),
        "OPENAI_MAX_RETRIES": "0",
        "ASSEMBLYAI_HTTP_TIMEOUT_SECONDS": str(CLIENT_TIMEOUT_SECONDS),
        "ASSEMBLYAI_DEADLINE_SECONDS": "1",
        "ASSEMBLYAI_POLLING_INTERVAL_SECONDS": "0.01",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("PROVIDER_SECRET_ARN", raising=False)
    settings_module.get_settings.cache_clear()
    yield fake_vendor_server
    settings_module.get_settings.cache_clear()
