"""The API function called in-process, as API Gateway would after Cognito.

Each call builds the REST proxy event a signed-in candidate's request becomes
(the user id as the `sub` claim under requestContext.authorizer), runs the real
`lambda_handler` of functions/api/app.py and parses the JSON reply. The handler
is loaded from template.yaml's CodeUri and Handler, under the same module name
the state machine runner and the tests use.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from local.stepfunctions import LambdaContext, load_handler, load_template

API_FUNCTION = "ApiFunction"


class ApiCallError(RuntimeError):
    """The API answered with an error status."""

    def __init__(self, method: str, path: str, status: int, body: Any) -> None:
        message = body.get("message") if isinstance(body, dict) else body
        super().__init__(f"{method} {path} answered {status}: {message}")
        self.status = status


@dataclass(frozen=True)
class ApiClient:
    """Requests of one signed-in candidate to the API function."""

    user_id: UUID

    def get(self, resource: str, **path_parameters: str) -> dict[str, Any]:
        return self.call("GET", resource, path_parameters)

    def post(
        self, resource: str, body: dict[str, Any], **path_parameters: str
    ) -> dict[str, Any]:
        return self.call("POST", resource, path_parameters, body)

    def call(
        self,
        method: str,
        resource: str,
        path_parameters: dict[str, str],
        body: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Send one request; the parsed JSON body, or ApiCallError."""
        path = resource.format(**path_parameters)
        event = rest_event(method, resource, path, path_parameters, self.user_id)
        if body is not None:
            event["body"] = json.dumps(body)
        response = api_handler()(event, lambda_context())
        reply = json.loads(response.get("body") or "null")
        if response["statusCode"] >= 400:
            raise ApiCallError(method, path, response["statusCode"], reply)
        parsed: dict[str, Any] = reply
        return parsed


def api_handler() -> Any:
    return load_handler(load_template(), API_FUNCTION)


def lambda_context() -> LambdaContext:
    return LambdaContext(function_name=API_FUNCTION, aws_request_id=str(uuid.uuid4()))


def rest_event(
    method: str,
    resource: str,
    path: str,
    path_parameters: dict[str, str],
    user_id: UUID,
) -> dict[str, Any]:
    """A REST proxy event that the Cognito authorizer let through for `user_id`."""
    headers = {"Content-Type": "application/json"}
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": path_parameters or None,
        "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "localdemo",
            "stage": "demo",
            "requestId": str(uuid.uuid4()),
            "httpMethod": method,
            "path": f"/demo{path}",
            "resourcePath": resource,
            "identity": {"sourceIp": "127.0.0.1", "userAgent": "local.demo"},
            "authorizer": {"claims": {"sub": str(user_id), "token_use": "id"}},
        },
        "body": None,
        "isBase64Encoded": False,
    }
