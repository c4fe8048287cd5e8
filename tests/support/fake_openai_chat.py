"""A fake OpenAI chat-completions server on 127.0.0.1, for the real openai SDK.

Each test queues the replies it wants, in order: structured output (the JSON of
a schema instance), a malformed reply, a refusal, or an HTTP error. Every
request is kept, so a test can check what the SDK sent (the prompt, the
`response_format` JSON schema). A request with nothing queued gets HTTP 500.

The `fake_openai_chat` fixture hands each test the (session-wide) server with
nothing queued, and points OPENAI_API_KEY and OPENAI_BASE_URL at it.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from pydantic import BaseModel

from talentsync import settings as settings_module

DEFAULT_MODEL = "gpt-4o-mini-2024-07-18"


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any]


@dataclass
class FakeOpenAIChat:
    """The queued replies and the requests received."""

    replies: deque[Reply] = field(default_factory=deque)
    requests: list[dict[str, Any]] = field(default_factory=list)
    base_url: str = ""

    def reply_with(
        self, value: BaseModel | dict[str, Any], model: str = DEFAULT_MODEL
    ) -> None:
        """A structured output reply carrying `value` as its JSON content."""
        data = value.model_dump(mode="json") if isinstance(value, BaseModel) else value
        self._queue(completion(json.dumps(data), refusal=None, model=model))

    def reply_malformed(self, content: str = '{"question_text": "What is') -> None:
        """A reply whose content is not the schema's JSON."""
        self._queue(completion(content, refusal=None, model=DEFAULT_MODEL))

    def reply_refusal(self, reason: str = "I can't help with that request.") -> None:
        self._queue(completion(None, refusal=reason, model=DEFAULT_MODEL))

    def reply_error(self, status: int = 400, message: str = "bad request") -> None:
        body = {"error": {"message": message, "type": "invalid_request_error"}}
        self.replies.append(Reply(status, body))

    def prompts(self) -> list[str]:
        """Every message text of every request, flattened."""
        return [
            str(message.get("content"))
            for request in self.requests
            for message in request.get("messages", [])
        ]

    def next_reply(self, request: dict[str, Any]) -> Reply:
        self.requests.append(request)
        if not self.replies:
            return Reply(
                500, {"error": {"message": "no reply queued", "type": "server"}}
            )
        return self.replies.popleft()

    def _queue(self, body: dict[str, Any]) -> None:
        self.replies.append(Reply(200, body))


def completion(content: str | None, refusal: str | None, model: str) -> dict[str, Any]:
    """A chat.completion object as the API returns it."""
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": content,
                    "refusal": refusal,
                },
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


def handler_for(fake: FakeOpenAIChat) -> type[BaseHTTPRequestHandler]:
    class ChatCompletionsHandler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = json.loads(self.rfile.read(length) or b"{}")
            if not self.path.endswith("/chat/completions"):
                self._send(Reply(404, {"error": {"message": "unknown path"}}))
                return
            self._send(fake.next_reply(request))

        def _send(self, reply: Reply) -> None:
            payload = json.dumps(reply.body).encode()
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the requests are kept on the fake instead."""

    return ChatCompletionsHandler


@pytest.fixture(scope="session")
def fake_openai_chat_server() -> Iterator[FakeOpenAIChat]:
    """One server for the run; each test gets it emptied by `fake_openai_chat`."""
    fake = FakeOpenAIChat()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(fake))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    yield fake

    server.shutdown()
    server.server_close()


@pytest.fixture
def no_openai_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No chat model configured: follow-up and feedback use the built-in logic."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("PROVIDER_SECRET_ARN", raising=False)
    settings_module.get_settings.cache_clear()
    yield
    settings_module.get_settings.cache_clear()


@pytest.fixture
def fake_openai_chat(
    fake_openai_chat_server: FakeOpenAIChat, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeOpenAIChat]:
    """The fake, emptied; the handlers' OpenAI key and base URL point at it."""
    fake = fake_openai_chat_server
    fake.replies.clear()
    fake.requests.clear()
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-fake")
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    monkeypatch.delenv("PROVIDER_SECRET_ARN", raising=False)
    settings_module.get_settings.cache_clear()
    yield fake

    monkeypatch.undo()
    settings_module.get_settings.cache_clear()
