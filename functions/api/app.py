"""ApiFunction: the HTTP API of a signed-in candidate, behind API Gateway (REST).

Each route reads like its line in the OpenAPI document: the caller's user id
(the Cognito `sub` claim, nothing else), the request parsed by its model, one
logic call inside one transaction, the view it returns. Every error becomes an
HTTP response in one place, `error_response`, at the end of this file.

`python functions/api/app.py > functions/api/openapi.json` rewrites the
committed OpenAPI document; a test fails while the two differ.
"""

from __future__ import annotations

import binascii
import json
import sys
from functools import cache
from http import HTTPStatus
from typing import Annotated, Any
from uuid import UUID

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import (
    APIGatewayRestResolver,
    CORSConfig,
    Depends,
    Response,
    content_types,
)
from aws_lambda_powertools.event_handler.exceptions import (
    NotFoundError as RouteNotFoundError,
)
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from talentsync.api import health, results, sessions, uploads
from talentsync.api.http import caller_id, read_json_body
from talentsync.api.models import (
    AnswerList,
    ApiError,
    CreatedSession,
    FieldError,
    HealthReport,
    NewSessionRequest,
    SessionDetail,
    SessionFeedback,
    SessionPage,
    StatusChangeRequest,
    TranscriptionList,
    TranscriptionView,
    UploadRequest,
    UploadUrl,
)
from talentsync.db import get_database
from talentsync.errors import (
    ConfigurationError,
    ConflictError,
    InvalidRequestError,
    MalformedBodyError,
    NotFoundError,
    PayloadTooLargeError,
    TalentSyncError,
    TransientError,
    UnauthorizedError,
)
from talentsync.settings import get_settings, settings_from_environment

logger = Logger(service="api")
# Only the AWS SDK is patched: patching every library X-Ray knows imports httpx
# (and its extras) at cold start for calls this function never makes.
tracer = Tracer(service="api", patch_modules=["botocore"])
metrics = Metrics(service="api")

# The one route API Gateway serves without the Cognito authorizer.
PUBLIC_PATHS = frozenset({"/health"})
COGNITO = "CognitoUserPool"
SIGNED_IN = [{COGNITO: []}]


def cors_config() -> CORSConfig | None:
    """CORS headers for the configured browser origin; none when unset."""
    origin = settings_from_environment().cors_allowed_origin
    if origin is None:
        return None
    return CORSConfig(
        allow_origin=origin,
        allow_headers=["Authorization", "Content-Type"],
        max_age=600,
    )


app = APIGatewayRestResolver(
    enable_validation=True, cors=cors_config(), json_body_deserializer=read_json_body
)


def signed_in_user() -> UUID:
    """The caller's user id: the `sub` claim the Cognito authorizer verified."""
    user_id = caller_id(request_claims().get("sub"))
    if user_id is None:
        raise UnauthorizedError("sign in first: the request carries no user id")
    logger.append_keys(user_id=str(user_id))
    return user_id


SignedInUser = Annotated[UUID, Depends(signed_in_user)]


def request_claims() -> dict[str, Any]:
    context = app.current_event.get("requestContext") or {}
    authorizer = context.get("authorizer") or {}
    claims = authorizer.get("claims") or {}
    return claims if isinstance(claims, dict) else {}


def documented(success: int, *errors: int) -> dict[int, OpenAPIResponse]:
    """The route's responses for the OpenAPI document: its success and its errors.

    Powertools documents a 422 on every route of a validating resolver; each
    route names 422 here so that it is documented with our error body.
    """
    responses: dict[int, OpenAPIResponse] = {
        success: {"description": HTTPStatus(success).phrase}
    }
    for status in errors:
        responses[status] = {
            "description": HTTPStatus(status).phrase,
            "content": {content_types.APPLICATION_JSON: {"model": ApiError}},
        }
    return responses


# Errors every signed-in route may answer with.
READ_ERRORS = (401, 404, 422, 503)
WRITE_ERRORS = (400, 401, 404, 413, 415, 422, 503)


@app.get(
    "/health",
    summary="Whether the API can reach its database (no sign-in)",
    tags=["health"],
    responses={
        **documented(200, 422),
        503: {
            "description": "The database does not answer.",
            "content": {content_types.APPLICATION_JSON: {"model": HealthReport}},
        },
    },
)
def get_health() -> HealthReport:
    report = health.check_health(get_database())
    if report.status == "ok":
        return report
    return json_response(HTTPStatus.SERVICE_UNAVAILABLE, report.model_dump())


@app.get("/openapi.json", include_in_schema=False)
def get_openapi_document(user_id: SignedInUser) -> Response[Any]:
    return Response(200, content_types.APPLICATION_JSON, openapi_document())


@app.post(
    "/sessions",
    status_code=201,
    summary="Start an interview session; the reply holds its first question",
    tags=["sessions"],
    security=SIGNED_IN,
    responses=documented(201, 400, 401, 413, 415, 422, 503),
)
def post_session(request: NewSessionRequest, user_id: SignedInUser) -> CreatedSession:
    with get_database().transaction() as conn:
        created = sessions.create_session(conn, user_id, request)
    metrics.add_metric(name="SessionsCreated", unit=MetricUnit.Count, value=1)
    return created


@app.get(
    "/sessions",
    summary="The caller's sessions, newest first, a page at a time",
    tags=["sessions"],
    security=SIGNED_IN,
    responses=documented(200, 401, 422, 503),
)
def get_sessions(
    user_id: SignedInUser,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> SessionPage:
    with get_database().transaction() as conn:
        return sessions.list_sessions(conn, user_id, limit, cursor)


@app.get(
    "/sessions/<session_id>",
    summary="One session with its current question",
    tags=["sessions"],
    security=SIGNED_IN,
    responses=documented(200, *READ_ERRORS),
)
def get_session(session_id: UUID, user_id: SignedInUser) -> SessionDetail:
    with get_database().transaction() as conn:
        return sessions.get_session_detail(conn, user_id, session_id)


@app.patch(
    "/sessions/<session_id>",
    summary="Pause, resume or cancel a session",
    tags=["sessions"],
    security=SIGNED_IN,
    responses=documented(200, *WRITE_ERRORS, 409),
)
def patch_session(
    session_id: UUID, request: StatusChangeRequest, user_id: SignedInUser
) -> SessionDetail:
    with get_database().transaction() as conn:
        return sessions.change_status(conn, user_id, session_id, request.status)


@app.post(
    "/sessions/<session_id>/uploads",
    summary="A presigned PUT URL for the answer to the current question",
    tags=["uploads"],
    security=SIGNED_IN,
    responses=documented(200, *WRITE_ERRORS, 409),
)
def post_upload(
    session_id: UUID, request: UploadRequest, user_id: SignedInUser
) -> UploadUrl:
    policy = upload_policy()
    with get_database().transaction() as conn:
        upload = uploads.create_upload_url(
            conn, s3_client(), policy, user_id, session_id, request
        )
    metrics.add_metric(name="UploadUrlsIssued", unit=MetricUnit.Count, value=1)
    return upload


@app.get(
    "/sessions/<session_id>/responses",
    summary="The recorded answers: transcript, confidence, provider, score",
    tags=["results"],
    security=SIGNED_IN,
    responses=documented(200, *READ_ERRORS),
)
def get_session_responses(session_id: UUID, user_id: SignedInUser) -> AnswerList:
    with get_database().transaction() as conn:
        return results.list_answers(conn, user_id, session_id)


@app.get(
    "/sessions/<session_id>/feedback",
    summary="The score of each answer and the session's summary",
    tags=["results"],
    security=SIGNED_IN,
    responses=documented(200, *READ_ERRORS),
)
def get_session_feedback(session_id: UUID, user_id: SignedInUser) -> SessionFeedback:
    with get_database().transaction() as conn:
        return results.session_feedback(conn, user_id, session_id)


@app.get(
    "/sessions/<session_id>/transcriptions",
    summary="The session's uploads and their transcription status",
    tags=["results"],
    security=SIGNED_IN,
    responses=documented(200, *READ_ERRORS),
)
def get_session_transcriptions(
    session_id: UUID, user_id: SignedInUser
) -> TranscriptionList:
    with get_database().transaction() as conn:
        return results.list_transcriptions(conn, user_id, session_id)


@app.get(
    "/transcriptions/<transcription_id>",
    summary="One transcription: its status and, if it failed, why",
    tags=["results"],
    security=SIGNED_IN,
    responses=documented(200, *READ_ERRORS),
)
def get_transcription(
    transcription_id: UUID, user_id: SignedInUser
) -> TranscriptionView:
    with get_database().transaction() as conn:
        return results.get_transcription(conn, user_id, transcription_id)


# clear_state: the user id appended for one request must not label the next.
@logger.inject_lambda_context(
    correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True
)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response = app.resolve(event, context)
    count_response(response["statusCode"])
    return response


def count_response(status: int) -> None:
    """One count per response, by class: the 4xx and 5xx rates come from these."""
    name = f"Responses{status // 100}xx"
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)


def upload_policy() -> uploads.UploadPolicy:
    settings = get_settings()
    if not settings.audio_bucket:
        raise ConfigurationError("AUDIO_BUCKET is not set")
    return uploads.UploadPolicy(
        bucket=settings.audio_bucket, max_audio_bytes=settings.max_audio_bytes
    )


@cache
def s3_client() -> Any:
    """The container's S3 client; presigning needs no call to S3."""
    return uploads.presigning_client(get_settings().aws_region)


@cache
def openapi_document() -> str:
    """The OpenAPI document of the routes above, as JSON text."""
    # Powertools' OpenAPI models take a third of a second to import: only this
    # route and the document's writer need them, so cold starts skip them.
    from aws_lambda_powertools.event_handler.openapi.models import APIKey, APIKeyIn

    cognito = APIKey(
        name="Authorization",
        in_=APIKeyIn.header,
        description="The Cognito user pool ID token; API Gateway verifies it.",
    )
    return app.get_openapi_json_schema(
        title="TalentSync API",
        version="1.0.0",
        description="Interview sessions, answer uploads and results of a candidate.",
        security_schemes={COGNITO: cognito},
    )


def json_response(status: HTTPStatus, body: dict[str, Any]) -> Response[Any]:
    return Response(status.value, content_types.APPLICATION_JSON, body)


# --- errors: the one place they become HTTP responses ---------------------------


@app.exception_handler(
    [
        TalentSyncError,
        RequestValidationError,
        RequestUnsupportedContentType,
        RouteNotFoundError,
        UnicodeDecodeError,
        binascii.Error,
        Exception,
    ]
)
def error_response(exc: Exception) -> Response[Any]:
    """The response for any error; an anonymous caller's mistakes are a 401 first."""
    status, error = describe_error(exc)
    if is_anonymous_refusal(status):
        status, error = HTTPStatus.UNAUTHORIZED, ApiError(message="sign in first")

    if status >= 500:
        logger.exception("request failed", extra={"status": status.value})
    else:
        logger.info(
            "request refused", extra={"status": status.value, "reason": error.message}
        )
    return json_response(status, error.model_dump())


def is_anonymous_refusal(status: HTTPStatus) -> bool:
    """A client error on a signed-in route, for a caller who is not signed in."""
    if status >= 500 or app.current_event.path in PUBLIC_PATHS:
        return False
    return caller_id(request_claims().get("sub")) is None


def describe_error(exc: Exception) -> tuple[HTTPStatus, ApiError]:
    """The HTTP status and body for an error; nothing internal leaks into either."""
    # Powertools parses form and multipart bodies itself, and may raise on them.
    if isinstance(exc, RequestUnsupportedContentType) or (
        isinstance(exc, (RequestValidationError, ValueError)) and sends_other_body()
    ):
        message = "send the body as application/json"
        return HTTPStatus.UNSUPPORTED_MEDIA_TYPE, ApiError(message=message)
    if isinstance(exc, RequestValidationError):
        return describe_validation_error(exc)
    if isinstance(exc, (UnicodeDecodeError, binascii.Error)):
        return HTTPStatus.BAD_REQUEST, ApiError(message="the body cannot be decoded")
    if isinstance(exc, InvalidRequestError):
        field = FieldError(loc=list(exc.location), type="value_error", msg=exc.reason)
        message = f"invalid value for {'.'.join(exc.location)}: {exc.reason}"
        return HTTPStatus.UNPROCESSABLE_ENTITY, ApiError(
            message=message, detail=[field]
        )
    return describe_named_error(exc)


def sends_other_body() -> bool:
    """Whether the request has a body declared as something else than JSON."""
    media_type = (app.current_event.headers.get("content-type") or "").strip()
    is_json = media_type == "" or media_type.startswith("application/json")
    return bool(app.current_event.body) and not is_json


def describe_named_error(exc: Exception) -> tuple[HTTPStatus, ApiError]:
    for error_class, status in ERROR_STATUSES:
        if isinstance(exc, error_class):
            return status, ApiError(message=public_message(exc, status))
    return HTTPStatus.INTERNAL_SERVER_ERROR, ApiError(message="internal error")


# Most specific first: the first match wins.
ERROR_STATUSES: list[tuple[type[Exception], HTTPStatus]] = [
    (UnauthorizedError, HTTPStatus.UNAUTHORIZED),
    (NotFoundError, HTTPStatus.NOT_FOUND),
    (RouteNotFoundError, HTTPStatus.NOT_FOUND),
    (ConflictError, HTTPStatus.CONFLICT),
    (MalformedBodyError, HTTPStatus.BAD_REQUEST),
    (PayloadTooLargeError, HTTPStatus.REQUEST_ENTITY_TOO_LARGE),
    (TransientError, HTTPStatus.SERVICE_UNAVAILABLE),
    (ConfigurationError, HTTPStatus.INTERNAL_SERVER_ERROR),
]


def public_message(exc: Exception, status: HTTPStatus) -> str:
    """Our own errors' messages are written for the caller; a server's are not."""
    if isinstance(exc, RouteNotFoundError):
        return "no such route"
    if status >= 500:
        return (
            "the service is unavailable, try again"
            if status == 503
            else "internal error"
        )
    return str(exc)


def describe_validation_error(
    exc: RequestValidationError,
) -> tuple[HTTPStatus, ApiError]:
    """422 naming each field; 400 when the body is not JSON at all."""
    errors = exc.errors()
    if any(error.get("type") == "json_invalid" for error in errors):
        return HTTPStatus.BAD_REQUEST, ApiError(message="the body is not valid JSON")

    fields = [field_error(error) for error in errors]
    names = ", ".join(".".join(str(part) for part in field.loc) for field in fields)
    message = f"invalid value for {names}"
    return HTTPStatus.UNPROCESSABLE_ENTITY, ApiError(message=message, detail=fields)


def field_error(error: dict[str, Any]) -> FieldError:
    # pydantic's message, never its `input` or `ctx`: they echo the request back.
    location = [part if isinstance(part, int) else str(part) for part in error["loc"]]
    return FieldError(
        loc=location, type=str(error["type"]), msg=str(error.get("msg", ""))
    )


if __name__ == "__main__":
    document = json.loads(openapi_document())
    sys.stdout.write(json.dumps(document, indent=2) + "\n")
