"""The REST API in template.yaml, as SAM transforms it: auth, limits, logs, CORS."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.template import cloudformation_template, sam_template

DOCUMENT = Path(__file__).parents[2] / "functions" / "api" / "openapi.json"


def resource(name: str) -> dict[str, Any]:
    found: dict[str, Any] = cloudformation_template()["Resources"][name]
    return found


def api_paths() -> dict[str, dict[str, Any]]:
    paths: dict[str, dict[str, Any]] = resource("Api")["Properties"]["Body"]["paths"]
    return paths


def stage() -> dict[str, Any]:
    resources = cloudformation_template()["Resources"].values()
    [found] = [r for r in resources if r["Type"] == "AWS::ApiGateway::Stage"]
    return dict(found["Properties"])


def routes() -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, operations in api_paths().items()
        for method in operations
        if method != "options"
    }


def test_every_route_of_the_openapi_document_is_deployed() -> None:
    document = json.loads(DOCUMENT.read_text())
    documented = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
    }

    assert routes() == documented | {("GET", "/openapi.json")}


def test_every_route_but_health_needs_the_cognito_authorizer() -> None:
    for path, operations in api_paths().items():
        for method, operation in operations.items():
            if method == "options":
                continue
            expected = "NONE" if path == "/health" else "CognitoAuthorizer"
            assert operation["security"] == [{expected: []}], f"{method} {path}"


def test_cors_preflight_needs_no_token() -> None:
    preflights = [ops["options"] for ops in api_paths().values()]

    assert preflights
    assert all("security" not in operation for operation in preflights)


def test_authorizer_is_the_templates_user_pool() -> None:
    definitions = resource("Api")["Properties"]["Body"]["securityDefinitions"]
    authorizer = definitions["CognitoAuthorizer"]["x-amazon-apigateway-authorizer"]

    assert authorizer["type"] == "cognito_user_pools"
    assert authorizer["providerARNs"] == [{"Fn::GetAtt": ["UserPool", "Arn"]}]
    assert resource("UserPoolClient")["Properties"]["GenerateSecret"] is False


def test_stage_throttles_with_the_parameters() -> None:
    [settings] = stage()["MethodSettings"]

    assert settings["ThrottlingRateLimit"] == {"Ref": "ApiThrottlingRateLimit"}
    assert settings["ThrottlingBurstLimit"] == {"Ref": "ApiThrottlingBurstLimit"}
    assert (settings["ResourcePath"], settings["HttpMethod"]) == ("/*", "*")


def test_stage_writes_access_logs_to_a_log_group_with_retention() -> None:
    access_logs = stage()["AccessLogSetting"]

    assert access_logs["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    assert json.loads(access_logs["Format"])["status"] == "$context.status"
    assert resource("ApiAccessLogGroup")["Properties"]["RetentionInDays"] > 0


def test_cors_origin_comes_from_the_parameter() -> None:
    cors = sam_template()["Resources"]["Api"]["Properties"]["Cors"]
    variables = resource("ApiFunction")["Properties"]["Environment"]["Variables"]

    assert cors["AllowOrigin"] == {"Fn::Sub": "'${CorsAllowedOrigin}'"}
    assert variables["CORS_ALLOWED_ORIGIN"] == {"Ref": "CorsAllowedOrigin"}


def test_function_may_only_put_objects_under_audio() -> None:
    policies = resource("ApiFunctionRole")["Properties"]["Policies"]
    statements = [s for p in policies for s in p["PolicyDocument"]["Statement"]]

    assert statements == [
        {
            "Effect": "Allow",
            "Action": "s3:PutObject",
            "Resource": {"Fn::Sub": "${AudioBucket.Arn}/audio/*"},
        }
    ]
