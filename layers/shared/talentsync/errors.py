"""The failures the pipeline knows by name.

Every error the code raises on purpose descends from `TalentSyncError`. The two
branches tell callers what to do next: a `TransientError` may pass on its own, so
the caller (Lambda's async retry, a Step Functions Retry) should try again; a
`PermanentError` will fail the same way every time, so it is recorded and the
work stops. Step Functions matches on the class name, so names are part of the
state machine's contract.
"""

from __future__ import annotations


class TalentSyncError(Exception):
    """Root of every error the pipeline raises on purpose."""


class TransientError(TalentSyncError):
    """A failure that may pass on retry: network, throttling, a dropped connection."""


class PermanentError(TalentSyncError):
    """A failure that will repeat on retry: bad input, a missing row, a bad model."""


class ConfigurationError(PermanentError):
    """A required setting is missing or malformed."""


class DatabaseUnavailableError(TransientError):
    """The database could not be reached, or the connection dropped mid-work."""


class InvalidAudioError(PermanentError):
    """The uploaded object is not audio the pipeline accepts; the message says why."""


class MalformedEventError(PermanentError):
    """An invocation's event is not the S3 ObjectCreated event the function takes."""


class InvalidObjectKeyError(PermanentError):
    """The S3 key does not follow the upload key contract."""


class NotFoundError(PermanentError):
    """A row the work depends on does not exist (or belongs to someone else)."""


class ConflictError(PermanentError):
    """The request contradicts the current state, e.g. an invalid status change."""


class UnauthorizedError(PermanentError):
    """The request carries no verified identity (no Cognito `sub` claim)."""


class InvalidRequestError(PermanentError):
    """A request value is well formed but not acceptable; `location` names it."""

    def __init__(self, location: tuple[str, ...], reason: str) -> None:
        super().__init__(f"{'.'.join(location)}: {reason}")
        self.location = location
        self.reason = reason


class MalformedBodyError(PermanentError):
    """The request body cannot be read as JSON at all."""


class PayloadTooLargeError(PermanentError):
    """The request body is larger than the API accepts."""


class ProviderError(TalentSyncError):
    """One transcription provider could not produce a usable transcript."""

    def __init__(self, provider: str, reason: str, *, transient: bool) -> None:
        super().__init__(f"{provider}: {reason}")
        self.provider = provider
        self.reason = reason
        self.transient = transient


class AllProvidersFailedError(TransientError):
    """Every provider in the chain failed, and at least one failure may pass."""


class ModelIntegrityError(PermanentError):
    """An offline model file is missing or does not match its recorded digest."""
