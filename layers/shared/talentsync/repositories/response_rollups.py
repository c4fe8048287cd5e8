"""SQL over `response_rollups`: the document's analytics, answered from the rollup.

schema/010 keeps one rollup row per 15-minute bucket, session and provider, in
step with `responses` through triggers. Each query here returns the same figures
as the document's query it stands for (kept verbatim in responses.py), reading
the rollup for every bucket wholly inside the window and the raw responses only
for the window's partial first bucket. A bucket never straddles midnight in any
time zone in use (offsets are multiples of 15 minutes), so DATE() of a bucket's
start is the DATE() of every response in it.

NOTE: averages are sums divided by counts here, while the document's AVG() adds
the values in another order, so the two may differ in the last digits of a
float (about 1e-15 relative); a rollup row that had a response moved out of it
keeps the rounding of that subtraction. Counts and dates are identical.
"""

from __future__ import annotations

from psycopg import sql
from psycopg.rows import class_row
from pydantic import BaseModel

from talentsync.db import Connection
from talentsync.repositories.responses import ActiveSessionConsistency, DailySuccessRate

DAILY_WINDOW = sql.SQL("INTERVAL '30 days'")
PROVIDER_WINDOW = sql.SQL("INTERVAL '7 days'")


class ProviderTotals(BaseModel):
    """Counts and sums of one provider's responses over the provider window."""

    provider: str | None
    response_count: int
    confidence_sum: float
    confidence_count: int
    fallback_count: int
    processing_time_sum: float
    processing_time_count: int


def _window_bounds(window: sql.Composable) -> dict[str, sql.Composable]:
    """`since` (the window's start) and `first_full` (its first whole bucket)."""
    since = sql.SQL("(NOW() - {})").format(window)
    # Round `since` up to a bucket boundary; a start on a boundary stays put.
    first_full = sql.SQL(
        "(response_rollup_bucket({} - INTERVAL '1 microsecond')"
        " + INTERVAL '15 minutes')"
    ).format(since)
    return {"since": since, "first_full": first_full}


def get_daily_success_rates(conn: Connection) -> list[DailySuccessRate]:
    """The document's daily success rates (30 days), from the rollup."""
    # NOTE: this reads every rollup row of the window, one per session and
    # 15-minute bucket: about 236,000 rows and 180 ms when a million responses
    # fall inside it (target 150 ms). A per-day rollup with the distinct-session
    # count would read 31 rows, but DATE() follows the time zone, so it would
    # tie the figures to one zone.
    # Sessions are made distinct per day in a first aggregation, so no step
    # sorts for COUNT(DISTINCT).
    query = sql.SQL(
        """
        WITH parts AS (
            SELECT u.bucket_start AS created_at, u.session_id, u.response_count,
                   u.confidence_sum, u.confidence_count, u.fallback_count
            FROM response_rollups u
            WHERE u.bucket_start >= {first_full}
            UNION ALL
            SELECT r.created_at, r.session_id, 1,
                   COALESCE(CAST(r.transcription_data->>'confidence_score'
                                 AS FLOAT), 0),
                   (r.transcription_data->>'confidence_score' IS NOT NULL)::INT,
                   (r.transcription_data->>'fallback_used' = 'true' IS TRUE)::INT
            FROM responses r
            WHERE r.created_at >= {since} AND r.created_at < {first_full}
        ), session_days AS (
            SELECT DATE(created_at) AS date,
                   SUM(response_count) AS response_count,
                   SUM(confidence_sum) AS confidence_sum,
                   SUM(confidence_count) AS confidence_count,
                   SUM(fallback_count) AS fallback_count
            FROM parts
            GROUP BY DATE(created_at), session_id
        )
        SELECT date,
               SUM(response_count)::BIGINT AS total_responses,
               SUM(confidence_sum) / NULLIF(SUM(confidence_count), 0)
                   AS avg_confidence,
               SUM(fallback_count)::BIGINT AS fallback_count,
               COUNT(*) AS unique_sessions
        FROM session_days
        GROUP BY date
        ORDER BY date
        """
    ).format(**_window_bounds(DAILY_WINDOW))
    with conn.cursor(row_factory=class_row(DailySuccessRate)) as cur:
        return cur.execute(query).fetchall()


def get_provider_totals(conn: Connection) -> list[ProviderTotals]:
    """Per provider over the document's 7-day window: what provider usage needs,
    plus the fallback count."""
    query = sql.SQL(
        """
        WITH parts AS (
            SELECT u.provider, u.response_count, u.confidence_sum,
                   u.confidence_count, u.fallback_count,
                   u.processing_time_sum, u.processing_time_count
            FROM response_rollups u
            WHERE u.bucket_start >= {first_full}
            UNION ALL
            SELECT r.transcription_data->>'provider', 1,
                   COALESCE(CAST(r.transcription_data->>'confidence_score'
                                 AS FLOAT), 0),
                   (r.transcription_data->>'confidence_score' IS NOT NULL)::INT,
                   (r.transcription_data->>'fallback_used' = 'true' IS TRUE)::INT,
                   COALESCE(CAST(r.transcription_data->>'processing_time'
                                 AS FLOAT), 0),
                   (r.transcription_data->>'processing_time' IS NOT NULL)::INT
            FROM responses r
            WHERE r.created_at >= {since} AND r.created_at < {first_full}
        )
        SELECT provider,
               SUM(response_count)::BIGINT AS response_count,
               SUM(confidence_sum) AS confidence_sum,
               SUM(confidence_count)::BIGINT AS confidence_count,
               SUM(fallback_count)::BIGINT AS fallback_count,
               SUM(processing_time_sum) AS processing_time_sum,
               SUM(processing_time_count)::BIGINT AS processing_time_count
        FROM parts
        GROUP BY provider
        ORDER BY response_count DESC, provider
        """
    ).format(**_window_bounds(PROVIDER_WINDOW))
    with conn.cursor(row_factory=class_row(ProviderTotals)) as cur:
        return cur.execute(query).fetchall()


def check_active_session_consistency(conn: Connection) -> ActiveSessionConsistency:
    """The document's active-session consistency check, from the rollup."""
    with conn.cursor(row_factory=class_row(ActiveSessionConsistency)) as cur:
        cur.execute(
            """
            SELECT
                COUNT(DISTINCT u.session_id) AS active_sessions,
                COALESCE(SUM(u.response_count), 0)::BIGINT AS total_responses,
                SUM(u.confidence_sum) / NULLIF(SUM(u.confidence_count), 0)
                    AS avg_confidence
            FROM response_rollups u
            JOIN sessions s ON u.session_id = s.id
            WHERE s.status = 'active'
            """
        )
        row = cur.fetchone()
    assert row is not None  # an aggregate always returns one row
    return row
