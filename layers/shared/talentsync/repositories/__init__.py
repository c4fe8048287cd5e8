"""Data access: one module per table, each statement beside the function that runs it.

Repositories take an open connection (the caller owns the transaction), bind
every value as a parameter and return pydantic models. They know nothing of
Lambda events.
"""
