"""The interview state machine's logic: record an answer, ask next, score, summarise.

`recording` stores the answer (RecordResponse), `followup` moves the session to
its next question or completes it (NextQuestion), `feedback` scores the answer
and summarises a finished session (ScoreAnswer), and `failure` takes back a
half-processed answer (the Catch target). `selection`, `scoring` and `summary`
are the built-in, offline rules; `llm` is the optional chat model.
"""
