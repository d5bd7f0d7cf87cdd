"""SQLite storage: the append-only event log, its projections, full-text search, blobs, migrations."""
