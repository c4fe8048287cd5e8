-- 002: the "critical indexes for cross-service performance" of the data-model
-- document's indexing strategy.
--
-- CREATE INDEX CONCURRENTLY cannot run inside a transaction, so the runner
-- executes this file statement by statement in autocommit (the marker below).
-- IF NOT EXISTS makes a re-run after a half-finished attempt safe. An
-- interrupted concurrent build leaves an INVALID index behind; the runner checks
-- for invalid indexes after a no-transaction file and refuses to record it, so
-- an operator drops the invalid index and runs the migration again.
-- migrate: no-transaction

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_responses_session_transcription
ON responses USING GIN ((transcription_data->>'transcript_text') gin_trgm_ops);

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_responses_confidence
ON responses ((CAST(transcription_data->>'confidence_score' AS FLOAT)));

CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_responses_provider_date
ON responses ((transcription_data->>'provider'), created_at);
