"""TranscriptionFunction's wiring in template.yaml, as SAM transforms it."""

from __future__ import annotations

import json
from typing import Any

from tests.support.template import cloudformation_template, sam_template


def resource(name: str) -> dict[str, Any]:
    found: dict[str, Any] = cloudformation_template()["Resources"][name]
    return found


def role_statements() -> str:
    return json.dumps(resource("TranscriptionFunctionRole")["Properties"]["Policies"])


def test_audio_bucket_invokes_the_function_for_objects_created_under_audio() -> None:
    notification = resource("AudioBucket")["Properties"]["NotificationConfiguration"]

    [config] = notification["LambdaConfigurations"]
    assert config["Function"] == {"Fn::GetAtt": ["TranscriptionFunction", "Arn"]}
    assert config["Event"] == "s3:ObjectCreated:*"
    assert config["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": "audio/"}]


def test_failed_events_are_retried_twice_then_sent_to_the_dead_letter_queue() -> None:
    invoke_config = resource("TranscriptionFunctionEventInvokeConfig")["Properties"]

    assert invoke_config["MaximumRetryAttempts"] == 2
    assert invoke_config["MaximumEventAgeInSeconds"] > 0
    assert invoke_config["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["TranscriptionDLQ", "Arn"]
    }


def test_dead_letter_queue_is_encrypted() -> None:
    assert resource("TranscriptionDLQ")["Properties"]["SqsManagedSseEnabled"] is True


def test_reserved_concurrency_comes_from_a_parameter() -> None:
    properties = resource("TranscriptionFunction")["Properties"]

    assert properties["ReservedConcurrentExecutions"] == {
        "Ref": "TranscriptionReservedConcurrency"
    }
    assert "TranscriptionReservedConcurrency" in sam_template()["Parameters"]


def test_role_reads_only_the_audio_prefix_of_the_bucket() -> None:
    statements = role_statements()

    assert '"Action": "s3:GetObject"' in statements
    assert "/audio/*" in statements
    assert "s3:PutObject" not in statements


def test_role_may_start_the_interview_state_machine_and_read_the_secret() -> None:
    statements = role_statements()

    assert "states:StartExecution" in statements
    assert "InterviewStateMachine" in statements
    assert "secretsmanager:GetSecretValue" in statements
    assert '"Ref": "ProviderSecret"' in statements


def test_environment_names_follow_the_design() -> None:
    variables = resource("TranscriptionFunction")["Properties"]["Environment"][
        "Variables"
    ]

    assert variables["STATE_MACHINE_ARN"] == {"Ref": "InterviewStateMachine"}
    assert variables["PROVIDER_SECRET_ARN"] == {"Ref": "ProviderSecret"}
    assert variables["TRANSCRIPTION_PROVIDERS"] == "openai,assemblyai,fallback"
    assert "AUDIO_BUCKET" in variables


def test_processing_lease_outlasts_the_function_timeout() -> None:
    properties = resource("TranscriptionFunction")["Properties"]
    lease = int(properties["Environment"]["Variables"]["PROCESSING_LEASE_SECONDS"])

    assert lease > properties["Timeout"]
