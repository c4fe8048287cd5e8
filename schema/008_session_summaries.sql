-- 008: the summary of a completed session.
--
-- The feedback step writes one summary once the session is completed and every
-- one of its answers has a score. It gets its own table, keyed by the session,
-- instead of new columns on `sessions`: `sessions` stays the data-model
-- document's table, only completed sessions have a summary, and the primary key
-- lets a retried step insert with `ON CONFLICT DO NOTHING`. The averages repeat
-- what `scores` holds, so a finished session can be shown without aggregating;
-- a summary is written once and never updated.

CREATE TABLE session_summaries (
    session_id UUID PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    responses_scored INTEGER NOT NULL,
    content_score FLOAT NOT NULL,
    clarity_score FLOAT NOT NULL,
    completeness_score FLOAT NOT NULL,
    overall_score FLOAT NOT NULL,
    category_scores JSONB NOT NULL,
    strengths TEXT[] NOT NULL,
    improvements TEXT[] NOT NULL,
    summary_text TEXT NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    CONSTRAINT session_summaries_responses_scored_check
        CHECK (responses_scored > 0),
    CONSTRAINT session_summaries_range_check CHECK (
        content_score BETWEEN 0 AND 1
        AND clarity_score BETWEEN 0 AND 1
        AND completeness_score BETWEEN 0 AND 1
        AND overall_score BETWEEN 0 AND 1
    )
);
