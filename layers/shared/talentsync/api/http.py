"""What every request passes before its route: a bounded, readable body and a caller.

API Gateway's Cognito authorizer verifies the token and hands the Lambda its
claims; the `sub` claim is the user id, and nothing else in a request (body,
query, headers) is ever taken as one.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from talentsync.errors import MalformedBodyError, PayloadTooLargeError

# NOTE: the limit guards JSON bodies, the only kind the API accepts. A form or
# multipart body is parsed by Powertools itself before the handler refuses it
# with 415, so such a body is bounded only by API Gateway's 10 MB payload limit.
MAX_BODY_BYTES = 64 * 1024


def read_json_body(text: str) -> Any:
    """The body as JSON, refused when too large or unreadable."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BODY_BYTES:
        raise PayloadTooLargeError(f"the body is larger than {MAX_BODY_BYTES} bytes")
    try:
        return json.loads(text)
    # JSONDecodeError, and a number too long to convert, are ValueErrors.
    except ValueError as exc:
        raise MalformedBodyError(f"the body is not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise MalformedBodyError(
            "the body is not valid JSON: nested too deeply"
        ) from exc


def caller_id(sub: object) -> UUID | None:
    """The user id the authorizer's `sub` claim names; None when there is none."""
    if not isinstance(sub, str):
        return None
    try:
        return UUID(sub)
    except ValueError:
        return None
