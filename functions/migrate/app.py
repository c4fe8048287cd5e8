"""MigrateFunction: apply the pending schema migrations, then load the question bank.

Invoked directly (`sam remote invoke`, any event) it returns what it applied. As
the template's `SchemaMigration` custom resource it runs on stack create and
update and reports to CloudFormation, so a failed migration fails the deployment
and rolls it back.

The migration files travel with the function (`schema/` is linked into its
folder and SCHEMA_DIR points at it); the runner refuses changed files and waits
for any other runner, so a repeated or concurrent invocation is safe.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from talentsync.custom_resource import CustomResourceRequest, send_response
from talentsync.db import get_database
from talentsync.migrate import migrate
from talentsync.question_bank import load_question_bank
from talentsync.settings import get_settings

logger = Logger(service="migrate")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "RequestType" not in event:
        return apply_schema()
    return handle_custom_resource(CustomResourceRequest.model_validate(event), context)


def apply_schema() -> dict[str, Any]:
    applied = migrate(get_settings())
    questions = load_question_bank(get_database())
    logger.info("schema applied", extra={"applied": applied, "questions": questions})
    return {"applied": applied, "questions_loaded": questions}


def handle_custom_resource(
    request: CustomResourceRequest, context: LambdaContext
) -> dict[str, Any]:
    # Deleting the stack must never run migrations, nor fail on them.
    if request.request_type == "Delete":
        send_response(request, context, success=True, data={})
        return {"applied": []}
    try:
        outcome = apply_schema()
    except Exception as exc:
        logger.exception("schema migration failed")
        send_response(request, context, success=False, reason=str(exc)[:500])
        raise
    send_response(
        request, context, success=True, data={"Applied": len(outcome["applied"])}
    )
    return outcome
