"""MigrateFunction: apply the pending schema migrations, then load the question bank.

The migration files travel with the function (`schema/` is linked into its
folder and SCHEMA_DIR points at it); the runner refuses changed files and waits
for any other runner, so a repeated or concurrent invocation is safe.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from talentsync.db import get_database
from talentsync.migrate import migrate
from talentsync.question_bank import load_question_bank
from talentsync.settings import get_settings

logger = Logger(service="migrate")


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    applied = migrate(get_settings())
    questions = load_question_bank(get_database())
    logger.info(
        "migrations applied", extra={"applied": applied, "questions": questions}
    )
    return {"applied": applied, "questions_loaded": questions}
