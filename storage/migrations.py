"""Append-only schema migrations. An applied migration is never edited: add a new one instead."""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

MIGRATION_SET = "inflow"
migrations = Migrations(MIGRATION_SET)


def execute_script(db: Database, script: str) -> None:
    """Run SQL statements one by one inside the caller's transaction.

    sqlite3's executescript() would COMMIT first and run in autocommit, breaking the
    one-transaction-per-migration rule.
    """
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement in migration: {statement.strip()[:80]}")


@migrations(name="0001_moments_and_search")
def _v1_moments_and_search(db: Database) -> None:
    execute_script(
        db,
        """
        CREATE TABLE moments (
            rowid INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('resource', 'tip', 'question')),
            title TEXT NOT NULL DEFAULT '',
            body TEXT NOT NULL DEFAULT '',
            url TEXT,
            tags TEXT NOT NULL DEFAULT '[]',
            visibility TEXT NOT NULL DEFAULT 'private' CHECK (visibility IN ('private', 'team')),
            source_app TEXT,
            source_window TEXT,
            origin TEXT NOT NULL DEFAULT 'local',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            deleted_at TEXT
        );
        CREATE INDEX moments_live_by_created ON moments (created_at DESC) WHERE deleted_at IS NULL;

        CREATE TABLE moment_tags (
            moment_rowid INTEGER NOT NULL REFERENCES moments (rowid) ON DELETE CASCADE,
            tag TEXT NOT NULL,
            PRIMARY KEY (tag, moment_rowid)
        ) WITHOUT ROWID;
        CREATE INDEX moment_tags_by_moment ON moment_tags (moment_rowid);

        -- One FTS5 index over what a person searches: title, body, tags, url (and, later, snapshot
        -- text). It keeps its own copy of the text so snippet() and highlight() work; kind is an
        -- indexed column so a kind filter is part of the MATCH and never needs a JOIN.
        CREATE VIRTUAL TABLE moments_fts USING fts5 (
            title, body, tags, url, kind,
            tokenize = 'unicode61 remove_diacritics 2',
            prefix = '2 3'
        );

        -- Live (not deleted) moments are in the index; triggers keep it in step.
        CREATE TRIGGER moments_fts_insert AFTER INSERT ON moments WHEN new.deleted_at IS NULL BEGIN
            INSERT INTO moments_fts (rowid, title, body, tags, url, kind)
            VALUES (new.rowid, new.title, new.body,
                    (SELECT group_concat(value, ' ') FROM json_each(new.tags)),
                    coalesce(new.url, ''), new.kind);
        END;
        CREATE TRIGGER moments_fts_update AFTER UPDATE ON moments BEGIN
            DELETE FROM moments_fts WHERE rowid = old.rowid;
            INSERT INTO moments_fts (rowid, title, body, tags, url, kind)
            SELECT new.rowid, new.title, new.body,
                   (SELECT group_concat(value, ' ') FROM json_each(new.tags)),
                   coalesce(new.url, ''), new.kind
            WHERE new.deleted_at IS NULL;
        END;
        CREATE TRIGGER moments_fts_delete AFTER DELETE ON moments BEGIN
            DELETE FROM moments_fts WHERE rowid = old.rowid;
        END;
        """,
    )


def known_migration_names() -> list[str]:
    """Names of every migration this version of Inflow knows, in order."""
    return [m.name for m in migrations._migrations]  # no public accessor in sqlite-utils 4
