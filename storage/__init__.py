"""Inflow storage: SQLite schema, migrations, queries and search over a sqlite_utils.Database."""
