"""The logic behind the HTTP API: what a signed-in candidate may do and see.

Every function takes the caller's user id (the Cognito `sub`, nothing else) and
an open connection; the handler owns the transaction. A session, response or
transcription of another user is reported exactly like a missing one, so the
API never reveals that it exists.
"""
