"""The environment the functions run in, read once and validated.

Names follow DESIGN.md's configuration table. Explicit arguments beat the
environment: every reader takes a `Settings` so tests build one directly.
"""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel, Field, field_validator

from talentsync.models import Provider

DEFAULT_PROVIDER_CHAIN = "openai,assemblyai,fallback"


class Settings(BaseModel):
    database_url: str | None = None
    db_proxy_endpoint: str | None = None
    db_name: str = "talentsync"
    db_user: str = "talentsync_app"
    db_port: int = 5432
    aws_region: str = "us-east-1"
    statement_timeout_ms: int = Field(default=15_000, gt=0)
    connect_timeout_seconds: int = Field(default=10, gt=0)

    provider_secret_arn: str | None = None
    openai_api_key: str | None = None
    assemblyai_api_key: str | None = None
    openai_base_url: str | None = None
    assemblyai_base_url: str | None = None
    # The chat model behind follow-up questions and LLM scoring (OPENAI_CHAT_MODEL).
    openai_chat_model: str = "gpt-4o-mini"
    transcription_providers: list[Provider] = Field(
        default_factory=lambda: parse_provider_chain(DEFAULT_PROVIDER_CHAIN)
    )
    # Transcription function: upload limits, the confidence floor and the vendor
    # budgets (they must add up to less than the function's timeout).
    max_audio_bytes: int = Field(default=100 * 1024 * 1024, gt=0)
    min_confidence: float = Field(default=0.4, ge=0.0, le=1.0)
    openai_model: str = "whisper-1"
    openai_timeout_seconds: float = Field(default=45.0, gt=0)
    openai_max_retries: int = Field(default=1, ge=0)
    assemblyai_http_timeout_seconds: float = Field(default=30.0, gt=0)
    assemblyai_deadline_seconds: float = Field(default=120.0, gt=0)
    assemblyai_polling_interval_seconds: float = Field(default=3.0, gt=0)
    provider_secret_max_age_seconds: int = Field(default=300, gt=0)
    processing_lease_seconds: int = Field(default=930, gt=0)
    # Analytics: rows `processing` for longer are swept to `failed` (keep it at
    # least the transcription function's timeout, so a live run is never swept).
    stuck_processing_seconds: int = Field(default=900, gt=0)

    audio_bucket: str | None = None
    state_machine_arn: str | None = None
    # API: the browser origin allowed by CORS; unset = no CORS headers.
    cors_allowed_origin: str | None = None

    @field_validator("transcription_providers", mode="before")
    @classmethod
    def _split_chain(cls, value: object) -> object:
        if isinstance(value, str):
            return parse_provider_chain(value)
        return value


def parse_provider_chain(text: str) -> list[Provider]:
    """`"openai, fallback"` -> [Provider.OPENAI, Provider.FALLBACK], in order."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    return [Provider(name) for name in names]


def settings_from_environment(environ: dict[str, str] | None = None) -> Settings:
    """Build settings from environment variables named as in DESIGN.md."""
    environ = dict(os.environ if environ is None else environ)
    fields = {
        name: environ[name.upper()]
        for name in Settings.model_fields
        if environ.get(name.upper())
    }
    return Settings.model_validate(fields)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read lazily on first use."""
    return settings_from_environment()
