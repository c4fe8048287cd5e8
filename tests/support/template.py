"""template.yaml as the tests see it: parsed as written, and transformed by SAM.

The SAM translator is the code CloudFormation runs for `Transform:
AWS::Serverless-2016-10-31`, so asserting on its output checks what would
really be deployed, not what the template seems to say.
"""

from __future__ import annotations

import copy
import os
from functools import cache
from pathlib import Path
from typing import Any

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

TEMPLATE_PATH = Path(__file__).resolve().parents[2] / "template.yaml"


class NoManagedPolicyLookup:
    """The translator's IAM lookup, for templates that name policies by ARN only."""

    def load(self) -> dict[str, str]:
        return {}


@cache
def sam_template() -> dict[str, Any]:
    template: dict[str, Any] = yaml_parse(TEMPLATE_PATH.read_text())
    return template


@cache
def cloudformation_template() -> dict[str, Any]:
    """The template after the SAM transform: plain CloudFormation resources."""
    # The translator asks boto3 for the region to fill in pseudo parameters.
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    template = as_packaged(copy.deepcopy(sam_template()))
    return transform(template, {}, NoManagedPolicyLookup())  # type: ignore[arg-type]


def as_packaged(template: dict[str, Any]) -> dict[str, Any]:
    """Point local code folders at S3, as `sam package` would before deploying."""
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        for field in ("CodeUri", "ContentUri"):
            if isinstance(properties.get(field), str):
                properties[field] = f"s3://packaged-code/{properties[field]}"
        if properties.get("PackageType") == "Image":
            properties.setdefault(
                "ImageUri", "123456789012.dkr.ecr.us-east-1.amazonaws.com/engine:1"
            )
    return template


def resources_of_type(resource_type: str) -> dict[str, dict[str, Any]]:
    resources = cloudformation_template()["Resources"]
    return {
        name: resource
        for name, resource in resources.items()
        if resource["Type"] == resource_type
    }
