-- 001: the five tables of the product's data-model document.
--
-- Written as valid PostgreSQL: tables in dependency order (the document creates
-- `responses` before `sessions` and `questions`, which it references), and each
-- index as its own statement instead of the document's inline INDEX clauses.
-- CHECK constraints spell out every enumeration the document lists in comments,
-- and the 0-1 range of every score.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE sessions (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    job_position VARCHAR(255) NOT NULL,
    difficulty_level VARCHAR(20) DEFAULT 'medium',
    status VARCHAR(20) NOT NULL DEFAULT 'active',
    started_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    completed_at TIMESTAMP WITH TIME ZONE,
    total_questions INTEGER DEFAULT 0,
    answered_questions INTEGER DEFAULT 0,
    CONSTRAINT sessions_difficulty_level_check
        CHECK (difficulty_level IN ('easy', 'medium', 'hard')),
    CONSTRAINT sessions_status_check
        CHECK (status IN ('active', 'completed', 'paused', 'cancelled')),
    CONSTRAINT sessions_question_counts_check
        CHECK (total_questions >= 0 AND answered_questions >= 0)
);

CREATE INDEX idx_sessions_user_id ON sessions (user_id);
CREATE INDEX idx_sessions_status ON sessions (status);
CREATE INDEX idx_sessions_started_at ON sessions (started_at);

CREATE TABLE questions (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    question_text TEXT NOT NULL,
    category VARCHAR(100) NOT NULL,
    difficulty_level VARCHAR(20) NOT NULL,
    job_position VARCHAR(255),
    ideal_answer_summary TEXT,
    keywords TEXT[],
    estimated_time INTEGER,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    CONSTRAINT questions_category_check
        CHECK (category IN ('technical', 'behavioral', 'situational')),
    CONSTRAINT questions_difficulty_level_check
        CHECK (difficulty_level IN ('easy', 'medium', 'hard')),
    CONSTRAINT questions_estimated_time_check
        CHECK (estimated_time > 0)
);

CREATE INDEX idx_questions_category ON questions (category);
CREATE INDEX idx_questions_difficulty ON questions (difficulty_level);
CREATE INDEX idx_questions_position ON questions (job_position);

CREATE TABLE transcriptions (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    session_id UUID,
    file_name VARCHAR(255) NOT NULL,
    file_size BIGINT NOT NULL,
    original_audio_path TEXT,
    transcript_text TEXT,
    confidence_score FLOAT,
    provider VARCHAR(50) NOT NULL,
    status VARCHAR(20) NOT NULL DEFAULT 'pending',
    segments JSONB,
    processing_time FLOAT,
    error_message TEXT,
    fallback_used BOOLEAN DEFAULT FALSE,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    CONSTRAINT transcriptions_provider_check
        CHECK (provider IN ('openai', 'assemblyai', 'fallback')),
    CONSTRAINT transcriptions_status_check
        CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
    CONSTRAINT transcriptions_confidence_score_check
        CHECK (confidence_score BETWEEN 0 AND 1),
    CONSTRAINT transcriptions_file_size_check
        CHECK (file_size >= 0)
);

CREATE INDEX idx_transcriptions_user_id ON transcriptions (user_id);
CREATE INDEX idx_transcriptions_session_id ON transcriptions (session_id);
CREATE INDEX idx_transcriptions_status ON transcriptions (status);
CREATE INDEX idx_transcriptions_created_at ON transcriptions (created_at);
CREATE INDEX idx_transcriptions_provider ON transcriptions (provider);

CREATE TABLE responses (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    session_id UUID NOT NULL,
    question_id UUID NOT NULL,
    transcription_data JSONB NOT NULL,
    user_audio_path TEXT,
    processing_status VARCHAR(20) DEFAULT 'completed',
    created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE,
    FOREIGN KEY (question_id) REFERENCES questions (id) ON DELETE CASCADE
);

CREATE INDEX idx_responses_session_id ON responses (session_id);
CREATE INDEX idx_responses_question_id ON responses (question_id);
CREATE INDEX idx_responses_created_at ON responses (created_at);
CREATE INDEX idx_responses_transcription_gin ON responses USING GIN (transcription_data);

CREATE TABLE scores (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    response_id UUID NOT NULL,
    session_id UUID NOT NULL,
    content_score FLOAT NOT NULL,
    clarity_score FLOAT NOT NULL,
    completeness_score FLOAT NOT NULL,
    overall_score FLOAT NOT NULL,
    feedback_text TEXT,
    scoring_model VARCHAR(50),
    created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    FOREIGN KEY (response_id) REFERENCES responses (id) ON DELETE CASCADE,
    FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE,
    CONSTRAINT scores_range_check CHECK (
        content_score BETWEEN 0 AND 1
        AND clarity_score BETWEEN 0 AND 1
        AND completeness_score BETWEEN 0 AND 1
        AND overall_score BETWEEN 0 AND 1
    )
);

CREATE INDEX idx_scores_response_id ON scores (response_id);
CREATE INDEX idx_scores_session_id ON scores (session_id);
CREATE INDEX idx_scores_overall_score ON scores (overall_score);
