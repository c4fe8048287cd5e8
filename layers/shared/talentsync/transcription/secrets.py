"""The vendors' API keys: Secrets Manager in AWS, environment variables locally.

PROVIDER_SECRET_ARN names a JSON secret `{"OPENAI_API_KEY": "...",
"ASSEMBLYAI_API_KEY": "..."}`, read through Powertools parameters, which keeps
the value for PROVIDER_SECRET_MAX_AGE_SECONDS so a warm container does not call
Secrets Manager per upload. Without the ARN, OPENAI_API_KEY and
ASSEMBLYAI_API_KEY are read from the environment. A missing or empty key means
"skip that vendor". Keys are `SecretStr`, so a log line or a repr never shows
them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, SecretStr

from talentsync.errors import TransientError
from talentsync.settings import Settings

SECRET_FIELDS = {
    "openai_api_key": "OPENAI_API_KEY",
    "assemblyai_api_key": "ASSEMBLYAI_API_KEY",
}


class ProviderSecretError(TransientError):
    """The provider secret could not be read; retry once it is readable again."""


class ProviderKeys(BaseModel):
    model_config = ConfigDict(frozen=True)

    openai_api_key: SecretStr | None = None
    assemblyai_api_key: SecretStr | None = None


def load_provider_keys(settings: Settings) -> ProviderKeys:
    """The keys from the secret when PROVIDER_SECRET_ARN is set, else from settings."""
    if settings.provider_secret_arn:
        secret = _read_secret(
            settings.provider_secret_arn, settings.provider_secret_max_age_seconds
        )
        values = {field: secret.get(name) for field, name in SECRET_FIELDS.items()}
    else:
        values = {field: getattr(settings, field) for field in SECRET_FIELDS}
    return ProviderKeys(**{field: value or None for field, value in values.items()})


def _read_secret(secret_arn: str, max_age_seconds: int) -> dict[str, Any]:
    # NOTE: a rotated key reaches a warm container only when its cached value
    # expires, up to PROVIDER_SECRET_MAX_AGE_SECONDS (300 s by default) later.
    # Imported here: the parameters utility is only needed where the secret is.
    from aws_lambda_powertools.utilities import parameters

    try:
        value = parameters.get_secret(
            secret_arn, transform="json", max_age=max_age_seconds
        )
    except parameters.TransformParameterError as exc:
        raise ProviderSecretError("the provider secret is not a JSON object") from exc
    except parameters.GetParameterError as exc:
        raise ProviderSecretError(f"cannot read the provider secret: {exc}") from exc
    if not isinstance(value, dict):
        raise ProviderSecretError("the provider secret is not a JSON object")
    return value
