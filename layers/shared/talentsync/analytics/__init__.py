"""The scheduled analytics: figures, health checks, metrics, report, stuck sweep.

`service.run_analytics` is the one entry point the handler calls; `report` holds
the report's model and how its figures derive from the query rows; `metrics`
turns a report into CloudWatch EMF metrics; `storage` writes it to the bucket.
"""
