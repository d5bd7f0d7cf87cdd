"""Optional shared PostgreSQL server (design §3 "Sync"): push and pull of the event log and the blobs.

Imports `store` and `domain` only; the services (`desktop.services.sync_service`) are the way in.
"""
