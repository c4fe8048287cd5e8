-- 007: the question a session asks next.
--
-- The API hands out upload URLs only for the session's current question, and the
-- follow-up step moves it forward. NULL once the session has no question left.

ALTER TABLE sessions
    ADD COLUMN current_question_id UUID REFERENCES questions (id) ON DELETE SET NULL;
