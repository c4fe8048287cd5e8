"""Development-only tooling: local database, local AWS, the demo. Never shipped."""
