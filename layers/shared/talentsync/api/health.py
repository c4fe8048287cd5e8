"""The API's health: whether the database answers a round trip."""

from __future__ import annotations

import psycopg
from aws_lambda_powertools import Logger

from talentsync.api.models import HealthReport
from talentsync.db import Database
from talentsync.errors import ConfigurationError, DatabaseUnavailableError
from talentsync.repositories import health

logger = Logger(child=True)


def check_health(database: Database) -> HealthReport:
    """ok, or unavailable with a reason that names no host or credential."""
    try:
        with database.transaction() as conn:
            health.ping(conn)
    # The detail (host, driver message) goes to the log, never to the caller.
    except ConfigurationError as exc:
        logger.warning("health check: not configured", extra={"error": str(exc)})
        return unavailable("the database is not configured")
    except (DatabaseUnavailableError, psycopg.Error) as exc:
        logger.warning("health check: no answer", extra={"error": str(exc)})
        return unavailable("the database did not answer")
    return HealthReport(status="ok", database="ok")


def unavailable(reason: str) -> HealthReport:
    return HealthReport(status="unavailable", database="unavailable", reason=reason)
