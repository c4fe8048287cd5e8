"""A chat model that answers in a pydantic schema, or says plainly that it did not.

Follow-up questions and LLM scoring use OpenAI's structured output: the SDK
turns the pydantic model into a strict JSON schema, and parses the reply back
into it. Anything short of a parsed reply (the vendor down, a malformed reply,
a refusal) is logged and returned as None, and the caller falls back to its
built-in logic. The openai package is imported on first use only, so the
offline path never pays for it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Generic, TypeVar

from aws_lambda_powertools import Logger
from pydantic import BaseModel, ValidationError

from talentsync.settings import Settings
from talentsync.transcription.secrets import load_provider_keys

if TYPE_CHECKING:
    from openai import OpenAI

logger = Logger(child=True)

ReplyT = TypeVar("ReplyT", bound=BaseModel)

# A follow-up or a score is worth a short wait, not the function's whole budget.
REQUEST_TIMEOUT_SECONDS = 20.0
MAX_RETRIES = 1
# scores.scoring_model is VARCHAR(50).
MODEL_NAME_LENGTH = 50


class StructuredReply(BaseModel, Generic[ReplyT]):
    value: ReplyT
    model: str


class ChatModel:
    """One OpenAI chat model, its client created on first use."""

    def __init__(self, api_key: str, base_url: str | None, model: str) -> None:
        self.model = model
        self._api_key = api_key
        self._base_url = base_url
        self._client: OpenAI | None = None

    def ask(
        self, instructions: str, prompt: str, schema: type[ReplyT]
    ) -> StructuredReply[ReplyT] | None:
        """The model's reply parsed into `schema`; None when there is none to use."""
        import openai

        try:
            completion = self._openai().chat.completions.parse(
                model=self.model,
                messages=[
                    {"role": "system", "content": instructions},
                    {"role": "user", "content": prompt},
                ],
                response_format=schema,
            )
        except (openai.OpenAIError, ValidationError, ValueError) as exc:
            logger.warning(
                "chat model reply unusable; using the built-in logic",
                extra={"reason": type(exc).__name__, "schema": schema.__name__},
            )
            return None
        return self._reply(completion.choices[0].message, completion.model, schema)

    def _reply(
        self, message: object, model: str | None, schema: type[ReplyT]
    ) -> StructuredReply[ReplyT] | None:
        refusal = getattr(message, "refusal", None)
        parsed = getattr(message, "parsed", None)
        if refusal or not isinstance(parsed, schema):
            logger.warning(
                "chat model refused or gave no answer; using the built-in logic",
                extra={"refused": bool(refusal), "schema": schema.__name__},
            )
            return None
        name = (model or self.model)[:MODEL_NAME_LENGTH]
        return StructuredReply[ReplyT](value=parsed, model=name)

    def _openai(self) -> OpenAI:
        if self._client is None:
            from openai import OpenAI

            self._client = OpenAI(
                api_key=self._api_key,
                base_url=self._base_url,
                timeout=REQUEST_TIMEOUT_SECONDS,
                max_retries=MAX_RETRIES,
            )
        return self._client


def chat_model_from_settings(settings: Settings) -> ChatModel | None:
    """The configured chat model, or None (logged) when there is no OpenAI key.

    The key comes from the provider secret in AWS, OPENAI_API_KEY locally.
    """
    api_key = load_provider_keys(settings).openai_api_key
    if api_key is None:
        logger.info("no OpenAI API key: the built-in logic answers")
        return None
    return cached_chat_model(
        api_key.get_secret_value(),
        settings.openai_base_url,
        settings.openai_chat_model,
    )


# A warm container keeps its client (and its connection pool) across invocations;
# a rotated key or another model makes a new one.
@lru_cache(maxsize=4)
def cached_chat_model(api_key: str, base_url: str | None, model: str) -> ChatModel:
    return ChatModel(api_key, base_url, model)
