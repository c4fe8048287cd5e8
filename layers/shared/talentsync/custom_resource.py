"""Answering a CloudFormation custom resource request.

CloudFormation waits (up to an hour) for a reply PUT to the request's presigned
ResponseURL; a function that fails without replying leaves the stack hanging.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

RESPONSE_TIMEOUT_SECONDS = 30


class LogStreamContext(Protocol):
    log_stream_name: str


class CustomResourceRequest(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    request_type: Literal["Create", "Update", "Delete"] = Field(alias="RequestType")
    response_url: str = Field(alias="ResponseURL")
    stack_id: str = Field(alias="StackId")
    request_id: str = Field(alias="RequestId")
    logical_resource_id: str = Field(alias="LogicalResourceId")
    physical_resource_id: str | None = Field(default=None, alias="PhysicalResourceId")


def send_response(
    request: CustomResourceRequest,
    context: LogStreamContext,
    *,
    success: bool,
    data: dict[str, Any] | None = None,
    reason: str | None = None,
) -> None:
    """PUT the outcome to CloudFormation's presigned URL."""
    body = {
        "Status": "SUCCESS" if success else "FAILED",
        "Reason": reason or f"see CloudWatch log stream {context.log_stream_name}",
        # A stable physical id: updates must not look like a replacement.
        "PhysicalResourceId": request.physical_resource_id
        or request.logical_resource_id,
        "StackId": request.stack_id,
        "RequestId": request.request_id,
        "LogicalResourceId": request.logical_resource_id,
        "Data": data or {},
    }
    payload = json.dumps(body).encode()
    put = urllib.request.Request(
        request.response_url,
        data=payload,
        method="PUT",
        headers={"Content-Type": "", "Content-Length": str(len(payload))},
    )
    with urllib.request.urlopen(put, timeout=RESPONSE_TIMEOUT_SECONDS):
        pass
