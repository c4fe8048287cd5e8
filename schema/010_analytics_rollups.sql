-- 010: a rollup of responses that keeps the daily analytics fast as data grows.
--
-- The data-model document's analytics queries read every response of their 30-
-- and 7-day windows and parse its JSONB; idx_responses_created_at already finds
-- those rows, and the time goes into reading them. An index cannot cut that
-- work: the planner answers `transcription_data->>'...'` from an expression
-- index only with the whole JSONB column in the index too (no index-only scan
-- otherwise), and the 30-day query sorts the full rows for COUNT(DISTINCT). An
-- index on created_at INCLUDE (session_id, transcription_data), tried at a
-- million rows, was not even chosen. The benchmark
-- (tests/benchmarks/bench_analytics_queries.py) measures the rest.
--
-- So each response is also counted, as it is written, in `response_rollups`: one
-- row per 15-minute bucket, session and provider, holding the counts and sums the
-- analytics need. The analytics read the rollup for whole buckets and the raw
-- responses only for the window's partial first bucket, and return the same
-- figures as the document's queries (kept verbatim in repositories/responses.py).
--
-- 15 minutes because DATE() groups by the session time zone: every time zone in
-- use today is offset from UTC by a multiple of 15 minutes, so a bucket never
-- straddles midnight wherever the query runs. The session in the key keeps
-- concurrent writers of different sessions off each other's rollup rows, and lets
-- COUNT(DISTINCT session_id) be answered from the rollup.
--
-- NOTE: the 15-minute alignment holds for every UTC offset in use today; a zone
-- with an offset that is not a multiple of 15 minutes (only historic local mean
-- times are) would see DATE() of a bucket differ from DATE() of its responses.
--
-- The triggers keep the rollup exact under INSERT, UPDATE (of the columns it
-- reads), DELETE (also cascaded from sessions) and TRUNCATE. Creating them first
-- locks writers out until this migration commits, so the backfill below sees
-- every row and misses none written meanwhile.
--
-- NOTE: that lock holds new responses back for as long as the backfill runs:
-- 20 to 30 s per million responses on the benchmark machine. RecordResponse
-- retries (Step Functions) ride over it on a small table; deploy this migration
-- off-peak on a large one.

CREATE TABLE response_rollups (
    bucket_start TIMESTAMP WITH TIME ZONE NOT NULL,
    session_id UUID NOT NULL,
    provider TEXT,
    response_count INTEGER NOT NULL,
    confidence_sum DOUBLE PRECISION NOT NULL,
    confidence_count INTEGER NOT NULL,
    fallback_count INTEGER NOT NULL,
    processing_time_sum DOUBLE PRECISION NOT NULL,
    processing_time_count INTEGER NOT NULL,
    CONSTRAINT response_rollups_key
        UNIQUE NULLS NOT DISTINCT (bucket_start, session_id, provider)
);

CREATE INDEX idx_response_rollups_session_id ON response_rollups (session_id);

CREATE FUNCTION response_rollup_bucket(moment TIMESTAMP WITH TIME ZONE)
RETURNS TIMESTAMP WITH TIME ZONE
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN date_bin(
    '15 minutes', moment, TIMESTAMP WITH TIME ZONE '2000-01-01 00:00:00+00'
);

-- Add (direction = 1) or remove (direction = -1) one response; drop rows that reach zero.
CREATE FUNCTION response_rollups_add(
    moment TIMESTAMP WITH TIME ZONE, owner UUID, data JSONB, direction INTEGER
)
RETURNS void
LANGUAGE sql
BEGIN ATOMIC
    INSERT INTO response_rollups AS u (
        bucket_start, session_id, provider, response_count,
        confidence_sum, confidence_count, fallback_count,
        processing_time_sum, processing_time_count
    )
    VALUES (
        response_rollup_bucket(moment),
        owner,
        data->>'provider',
        direction,
        direction * COALESCE(CAST(data->>'confidence_score' AS FLOAT), 0),
        direction * (data->>'confidence_score' IS NOT NULL)::INTEGER,
        direction * (data->>'fallback_used' = 'true' IS TRUE)::INTEGER,
        direction * COALESCE(CAST(data->>'processing_time' AS FLOAT), 0),
        direction * (data->>'processing_time' IS NOT NULL)::INTEGER
    )
    ON CONFLICT (bucket_start, session_id, provider) DO UPDATE SET
        response_count = u.response_count + EXCLUDED.response_count,
        confidence_sum = u.confidence_sum + EXCLUDED.confidence_sum,
        confidence_count = u.confidence_count + EXCLUDED.confidence_count,
        fallback_count = u.fallback_count + EXCLUDED.fallback_count,
        processing_time_sum = u.processing_time_sum + EXCLUDED.processing_time_sum,
        processing_time_count = u.processing_time_count
            + EXCLUDED.processing_time_count;
    DELETE FROM response_rollups
    WHERE bucket_start = response_rollup_bucket(moment)
      AND session_id = owner
      AND provider IS NOT DISTINCT FROM data->>'provider'
      AND response_count = 0;
END;

CREATE FUNCTION response_rollups_track() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM response_rollups_add(
            OLD.created_at, OLD.session_id, OLD.transcription_data, -1
        );
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM response_rollups_add(
            NEW.created_at, NEW.session_id, NEW.transcription_data, 1
        );
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION response_rollups_clear() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    DELETE FROM response_rollups;
    RETURN NULL;
END;
$$;

CREATE TRIGGER response_rollups_on_insert_or_delete
AFTER INSERT OR DELETE ON responses
FOR EACH ROW EXECUTE FUNCTION response_rollups_track();

CREATE TRIGGER response_rollups_on_update
AFTER UPDATE OF created_at, session_id, transcription_data ON responses
FOR EACH ROW
WHEN (
    OLD.created_at IS DISTINCT FROM NEW.created_at
    OR OLD.session_id IS DISTINCT FROM NEW.session_id
    OR OLD.transcription_data IS DISTINCT FROM NEW.transcription_data
)
EXECUTE FUNCTION response_rollups_track();

CREATE TRIGGER response_rollups_on_truncate
AFTER TRUNCATE ON responses
FOR EACH STATEMENT EXECUTE FUNCTION response_rollups_clear();

INSERT INTO response_rollups (
    bucket_start, session_id, provider, response_count,
    confidence_sum, confidence_count, fallback_count,
    processing_time_sum, processing_time_count
)
SELECT
    response_rollup_bucket(created_at),
    session_id,
    transcription_data->>'provider',
    COUNT(*),
    COALESCE(SUM(CAST(transcription_data->>'confidence_score' AS FLOAT)), 0),
    COUNT(transcription_data->>'confidence_score'),
    COUNT(CASE WHEN transcription_data->>'fallback_used' = 'true' THEN 1 END),
    COALESCE(SUM(CAST(transcription_data->>'processing_time' AS FLOAT)), 0),
    COUNT(transcription_data->>'processing_time')
FROM responses
GROUP BY 1, 2, 3;
