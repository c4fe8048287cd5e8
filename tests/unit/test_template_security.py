"""What template.yaml deploys, checked on the SAM translator's CloudFormation output."""

from __future__ import annotations

import json
from typing import Any

import pytest
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

from local.stepfunctions import function_names, load_template, state_machine_definition
from tests.support.template import (
    cloudformation_template,
    resources_of_type,
    sam_template,
)

# AWS-managed policies SAM attaches for logging, tracing and VPC networking. The
# EC2 network-interface actions of the VPC policy do not support resource-level
# permissions, so their `*` is AWS's own and unavoidable.
ALLOWED_MANAGED_POLICIES = {
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
    "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
    "arn:aws:iam::aws:policy/service-role/AWSLambdaRole",
}

# Actions that AWS only authorises on `*`.
ACTIONS_WITHOUT_RESOURCE_LEVEL = {
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "cloudwatch:PutMetricData",
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
}


def policy_statements() -> list[tuple[str, dict[str, Any]]]:
    """Every (owner, statement) of the inline and customer-managed policies."""
    statements: list[tuple[str, dict[str, Any]]] = []
    for name, role in resources_of_type("AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                statements.append((name, statement))
    for name, policy in resources_of_type("AWS::IAM::ManagedPolicy").items():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            statements.append((name, statement))
    return statements


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_no_statement_grants_a_wildcard_action() -> None:
    for owner, statement in policy_statements():
        for action in as_list(statement["Action"]):
            assert isinstance(action, str) and "*" not in action, (owner, action)


def test_no_statement_grants_on_every_resource_where_a_narrower_one_exists() -> None:
    for owner, statement in policy_statements():
        actions = set(as_list(statement["Action"]))
        if actions <= ACTIONS_WITHOUT_RESOURCE_LEVEL:
            continue
        for resource in as_list(statement["Resource"]):
            assert resource != "*", (owner, sorted(actions))


def test_roles_attach_only_known_aws_managed_policies() -> None:
    for name, role in resources_of_type("AWS::IAM::Role").items():
        for arn in role["Properties"].get("ManagedPolicyArns", []):
            if isinstance(arn, str):
                assert arn in ALLOWED_MANAGED_POLICIES, (name, arn)


def test_the_audio_bucket_blocks_public_access() -> None:
    bucket = resources_of_type("AWS::S3::Bucket")["AudioBucket"]["Properties"]

    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]


def test_the_audio_bucket_policy_denies_requests_without_tls() -> None:
    policies = [
        policy["Properties"]
        for policy in resources_of_type("AWS::S3::BucketPolicy").values()
        if policy["Properties"]["Bucket"] == {"Ref": "AudioBucket"}
    ]
    statements = [s for p in policies for s in p["PolicyDocument"]["Statement"]]

    assert any(
        s["Effect"] == "Deny"
        and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport")
        in ("false", False)
        for s in statements
    )


def test_the_audio_bucket_expires_audio_and_allows_browser_uploads() -> None:
    bucket = resources_of_type("AWS::S3::Bucket")["AudioBucket"]["Properties"]
    rules = bucket["LifecycleConfiguration"]["Rules"]
    cors = bucket["CorsConfiguration"]["CorsRules"]

    assert any(
        rule.get("Prefix") == "audio/"
        or rule.get("Filter", {}).get("Prefix") == "audio/"
        for rule in rules
    )
    assert any("PUT" in rule["AllowedMethods"] for rule in cors)


def test_the_proxy_requires_tls_and_iam_authentication() -> None:
    [proxy] = resources_of_type("AWS::RDS::DBProxy").values()

    assert proxy["Properties"]["RequireTLS"] is True
    assert [auth["IAMAuth"] for auth in proxy["Properties"]["Auth"]] == ["REQUIRED"]


def test_the_proxy_sets_the_statement_timeout_on_each_database_connection() -> None:
    # The functions never send SET (it would pin their connections): the proxy's
    # initialization query gives every database connection the timeout.
    [target_group] = resources_of_type("AWS::RDS::DBProxyTargetGroup").values()
    pool = target_group["Properties"]["ConnectionPoolConfigurationInfo"]

    assert pool["InitQuery"] == {
        "Fn::Sub": "SET statement_timeout = ${DatabaseStatementTimeoutMs}"
    }
    assert "DatabaseStatementTimeoutMs" in sam_template()["Parameters"]


def test_the_database_is_private_and_encrypted() -> None:
    [database] = resources_of_type("AWS::RDS::DBInstance").values()

    assert database["Properties"]["PubliclyAccessible"] is False
    assert database["Properties"]["StorageEncrypted"] is True


def test_only_the_proxy_reaches_the_database() -> None:
    groups = resources_of_type("AWS::EC2::SecurityGroup")
    ingress = groups["DatabaseSecurityGroup"]["Properties"]["SecurityGroupIngress"]

    assert [rule["SourceSecurityGroupId"] for rule in ingress] == [
        {"Ref": "ProxySecurityGroup"}
    ]
    assert all("CidrIp" not in rule for rule in ingress)


def test_only_the_functions_reach_the_proxy() -> None:
    groups = resources_of_type("AWS::EC2::SecurityGroup")
    ingress = groups["ProxySecurityGroup"]["Properties"]["SecurityGroupIngress"]

    assert [rule["SourceSecurityGroupId"] for rule in ingress] == [
        {"Ref": "FunctionSecurityGroup"}
    ]


def lambda_functions() -> dict[str, dict[str, Any]]:
    return resources_of_type("AWS::Lambda::Function")


def test_every_function_is_traced() -> None:
    for name, function in lambda_functions().items():
        assert function["Properties"]["TracingConfig"] == {"Mode": "Active"}, name


def test_every_function_has_a_log_group_with_retention() -> None:
    log_groups = resources_of_type("AWS::Logs::LogGroup").values()
    named = {json.dumps(group["Properties"]["LogGroupName"]) for group in log_groups}
    retained = all("RetentionInDays" in group["Properties"] for group in log_groups)

    for name in lambda_functions():
        expected = json.dumps({"Fn::Sub": f"/aws/lambda/${{{name}}}"})
        assert expected in named, name
    assert retained


def test_every_zip_function_runs_python_312_on_arm64() -> None:
    for name, function in lambda_functions().items():
        properties = function["Properties"]
        if properties.get("PackageType") == "Image":
            continue
        assert properties["Runtime"] == "python3.12", name
        assert properties["Architectures"] == ["arm64"], name


def test_every_asynchronously_invoked_function_has_a_failure_destination() -> None:
    configs = resources_of_type("AWS::Lambda::EventInvokeConfig").values()
    with_destination = {
        config["Properties"]["FunctionName"]["Ref"]
        for config in configs
        if config["Properties"]
        .get("DestinationConfig", {})
        .get("OnFailure", {})
        .get("Destination")
    }

    for name in event_driven_functions():
        assert name in with_destination, name


def event_driven_functions() -> set[str]:
    """Functions S3 or EventBridge invoke asynchronously."""
    names = set()
    for name, resource in sam_template()["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        events = resource["Properties"].get("Events", {}).values()
        if any(event["Type"] in ("S3", "Schedule", "ScheduleV2") for event in events):
            names.add(name)
    return names


def test_the_dead_letter_queue_is_encrypted() -> None:
    for name, queue in resources_of_type("AWS::SQS::Queue").items():
        properties = queue["Properties"]
        assert properties.get("SqsManagedSseEnabled") or properties.get(
            "KmsMasterKeyId"
        ), name


def test_the_transcription_function_has_reserved_concurrency() -> None:
    function = lambda_functions()["TranscriptionFunction"]["Properties"]

    assert "ReservedConcurrentExecutions" in function


@pytest.mark.parametrize(
    "output",
    [
        "ApiUrl",
        "AudioBucketName",
        "InterviewStateMachineArn",
        "DatabaseProxyEndpoint",
        "DashboardUrl",
    ],
)
def test_the_stack_outputs_what_operators_need(output: str) -> None:
    assert output in cloudformation_template()["Outputs"]


def task_states(states: dict[str, Any]) -> list[dict[str, Any]]:
    """Every Task state, also those nested in Parallel and Map states."""
    found = []
    for state in states.values():
        if state["Type"] == "Task":
            found.append(state)
        for branch in state.get("Branches", []):
            found.extend(task_states(branch["States"]))
        if "ItemProcessor" in state:
            found.extend(task_states(state["ItemProcessor"]["States"]))
    return found


def test_the_state_machine_definition_is_valid_amazon_states_language() -> None:
    definition = state_machine_definition(load_template())

    program, _ = AmazonStateLanguageParser.parse(json.dumps(definition))

    assert program is not None


def test_every_lambda_the_state_machine_invokes_is_a_function_of_the_template() -> None:
    template = load_template()
    definition = state_machine_definition(template)
    functions = set(function_names(template))

    invoked = {
        state["Parameters"]["FunctionName"].rsplit(":", 1)[-1]
        for state in task_states(definition["States"])
    }

    assert invoked and invoked <= functions
