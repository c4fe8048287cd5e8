"""Where each provider of the chain comes from, built when the chain reaches it.

Providers (and the SDK clients inside them) are kept per warm container, keyed by
their configuration. The API keys are read when a vendor is reached, so a
container whose uploads all succeed at OpenAI never reads AssemblyAI's key, and
a missing key skips that vendor with a reason instead of failing the upload.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from talentsync.models import Provider
from talentsync.settings import Settings
from talentsync.transcription.chain import ProviderChain, ProviderSource
from talentsync.transcription.provider import TranscriptionProvider
from talentsync.transcription.secrets import load_provider_keys

# The provider modules are imported when the chain first reaches them, like the
# SDKs they wrap: a container whose uploads all succeed at OpenAI never loads
# the AssemblyAI side.
if TYPE_CHECKING:
    from talentsync.transcription.assemblyai_provider import AssemblyAIProvider
    from talentsync.transcription.openai_provider import OpenAIProvider

NO_KEY = "skipped: no API key configured"


def build_chain(
    settings: Settings, remaining_seconds: Callable[[], float]
) -> ProviderChain:
    """The chain TRANSCRIPTION_PROVIDERS names, in its order."""
    sources: Sequence[tuple[Provider, ProviderSource]] = [
        (name, _source(name, settings)) for name in settings.transcription_providers
    ]
    return ProviderChain(sources, settings.min_confidence, remaining_seconds)


def _source(name: Provider, settings: Settings) -> ProviderSource:
    sources: dict[Provider, ProviderSource] = {
        Provider.OPENAI: lambda: openai_source(settings),
        Provider.ASSEMBLYAI: lambda: assemblyai_source(settings),
        Provider.FALLBACK: fallback_source,
    }
    return sources[name]


def openai_source(settings: Settings) -> TranscriptionProvider | str:
    key = load_provider_keys(settings).openai_api_key
    if key is None:
        return NO_KEY
    return _openai(
        key.get_secret_value(),
        settings.openai_base_url,
        settings.openai_model,
        settings.openai_timeout_seconds,
        settings.openai_max_retries,
    )


def assemblyai_source(settings: Settings) -> TranscriptionProvider | str:
    key = load_provider_keys(settings).assemblyai_api_key
    if key is None:
        return NO_KEY
    return _assemblyai(
        key.get_secret_value(),
        settings.assemblyai_base_url,
        settings.assemblyai_http_timeout_seconds,
        settings.assemblyai_deadline_seconds,
        settings.assemblyai_polling_interval_seconds,
    )


@lru_cache(maxsize=1)
def fallback_source() -> TranscriptionProvider:
    """The offline engine: in-process locally, a function call in AWS."""
    # Imported here: the offline engine's module is only needed when both vendors
    # failed (or are not configured).
    from talentsync.transcription.remote_offline import make_fallback_provider

    return make_fallback_provider()


@lru_cache(maxsize=4)
def _openai(
    api_key: str,
    base_url: str | None,
    model: str,
    timeout_seconds: float,
    max_retries: int,
) -> OpenAIProvider:
    from talentsync.transcription.openai_provider import OpenAIProvider

    return OpenAIProvider(api_key, base_url, model, timeout_seconds, max_retries)


@lru_cache(maxsize=4)
def _assemblyai(
    api_key: str,
    base_url: str | None,
    http_timeout_seconds: float,
    deadline_seconds: float,
    polling_interval_seconds: float,
) -> AssemblyAIProvider:
    from talentsync.transcription.assemblyai_provider import AssemblyAIProvider

    return AssemblyAIProvider(
        api_key,
        base_url,
        http_timeout_seconds,
        deadline_seconds,
        polling_interval_seconds,
    )
