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


@migrations(name="0002_sharing_outbox_replies_feed")
def _v2_sharing(db: Database) -> None:
    execute_script(
        db,
        """
        ALTER TABLE moments ADD COLUMN author TEXT;
        ALTER TABLE moments ADD COLUMN feed_target TEXT;
        ALTER TABLE moments ADD COLUMN feed_remote_id TEXT;
        ALTER TABLE moments ADD COLUMN answered_at TEXT;
        CREATE UNIQUE INDEX moments_feed_item ON moments (feed_target, feed_remote_id)
            WHERE feed_target IS NOT NULL;

        -- One row per (moment, target, action): the durable queue the sync engine drains.
        -- Times the engine compares are unix seconds (REAL); what people read is ISO text.
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            moment_rowid INTEGER NOT NULL REFERENCES moments (rowid) ON DELETE CASCADE,
            target TEXT NOT NULL,
            action TEXT NOT NULL DEFAULT 'post' CHECK (action IN ('post', 'edit', 'retract')),
            idempotency_key TEXT NOT NULL UNIQUE,
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'inflight', 'sent', 'dead', 'paused', 'cancelled')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at REAL NOT NULL DEFAULT 0,
            last_error TEXT,
            remote_id TEXT,
            remote_link TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            poll_at REAL,
            poll_until REAL
        );
        CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
        CREATE INDEX outbox_by_moment ON outbox (moment_rowid);
        CREATE INDEX outbox_polls ON outbox (poll_at) WHERE poll_at IS NOT NULL;

        CREATE TABLE replies (
            id INTEGER PRIMARY KEY,
            moment_rowid INTEGER NOT NULL REFERENCES moments (rowid) ON DELETE CASCADE,
            target TEXT NOT NULL,
            remote_id TEXT NOT NULL,
            author TEXT NOT NULL,
            body TEXT NOT NULL,
            created_at TEXT NOT NULL,
            fetched_at TEXT NOT NULL,
            seen INTEGER NOT NULL DEFAULT 0,
            UNIQUE (target, remote_id)
        );
        CREATE INDEX replies_by_moment ON replies (moment_rowid);

        CREATE TABLE sync_cursors (
            target TEXT NOT NULL,
            stream TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (target, stream)
        ) WITHOUT ROWID;

        -- Small non-secret state a connector keeps per target (a Matrix device id, a pause reason).
        CREATE TABLE target_state (
            target TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (target, key)
        ) WITHOUT ROWID;
        """,
    )


@migrations(name="0003_outbox_tracking")
def _v3_outbox_tracking(db: Database) -> None:
    """Outbox rows can also record an activity for xAPI tracking (captured, answered, read)."""
    execute_script(
        db,
        """
        CREATE TABLE outbox_v3 (
            id INTEGER PRIMARY KEY,
            moment_rowid INTEGER NOT NULL REFERENCES moments (rowid) ON DELETE CASCADE,
            target TEXT NOT NULL,
            action TEXT NOT NULL DEFAULT 'post' CHECK (action IN ('post', 'edit', 'retract', 'track')),
            detail TEXT,
            idempotency_key TEXT NOT NULL UNIQUE,
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'inflight', 'sent', 'dead', 'paused', 'cancelled')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at REAL NOT NULL DEFAULT 0,
            last_error TEXT,
            remote_id TEXT,
            remote_link TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            poll_at REAL,
            poll_until REAL
        );
        INSERT INTO outbox_v3 (id, moment_rowid, target, action, idempotency_key, state, attempts, next_attempt_at,
                               last_error, remote_id, remote_link, created_at, updated_at, poll_at, poll_until)
            SELECT id, moment_rowid, target, action, idempotency_key, state, attempts, next_attempt_at,
                   last_error, remote_id, remote_link, created_at, updated_at, poll_at, poll_until FROM outbox;
        DROP TABLE outbox;
        ALTER TABLE outbox_v3 RENAME TO outbox;
        CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
        CREATE INDEX outbox_by_moment ON outbox (moment_rowid);
        CREATE INDEX outbox_polls ON outbox (poll_at) WHERE poll_at IS NOT NULL;
        CREATE UNIQUE INDEX outbox_one_track ON outbox (moment_rowid, target, detail) WHERE action = 'track';
        """,
    )


_FTS_ROW = """
    INSERT INTO moments_fts (rowid, title, body, tags, url, kind, snapshot)
    SELECT m.rowid, m.title, m.body,
           (SELECT group_concat(value, ' ') FROM json_each(m.tags)),
           coalesce(m.url, ''), m.kind,
           coalesce((SELECT s.text FROM snapshots s WHERE s.moment_rowid = m.rowid), '') || ' ' ||
           coalesce((SELECT f.text FROM files f WHERE f.moment_rowid = m.rowid), '')
    FROM moments m WHERE m.rowid = {rowid} AND m.deleted_at IS NULL;
"""


@migrations(name="0004_snapshots_files_and_their_search")
def _v4_snapshots(db: Database) -> None:
    """Offline copies of pages (snapshots, with their kept images) and kept files; both searchable."""
    execute_script(
        db,
        """
        CREATE TABLE snapshots (
            moment_rowid INTEGER PRIMARY KEY REFERENCES moments (rowid) ON DELETE CASCADE,
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'fetching', 'saved', 'failed')),
            url TEXT NOT NULL,
            final_url TEXT,
            content_type TEXT,
            title TEXT,
            byline TEXT,
            site TEXT,
            published TEXT,
            text TEXT,
            html TEXT,
            size INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at REAL NOT NULL DEFAULT 0,
            fetched_at TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX snapshots_due ON snapshots (state, next_attempt_at);

        CREATE TABLE snapshot_assets (
            id INTEGER PRIMARY KEY,
            moment_rowid INTEGER NOT NULL REFERENCES moments (rowid) ON DELETE CASCADE,
            name TEXT NOT NULL,
            media_type TEXT NOT NULL,
            data BLOB NOT NULL,
            UNIQUE (moment_rowid, name)
        );

        CREATE TABLE files (
            moment_rowid INTEGER PRIMARY KEY REFERENCES moments (rowid) ON DELETE CASCADE,
            name TEXT NOT NULL,
            media_type TEXT NOT NULL,
            size INTEGER NOT NULL,
            data BLOB NOT NULL,
            text TEXT
        );

        DROP TRIGGER moments_fts_insert;
        DROP TRIGGER moments_fts_update;
        DROP TRIGGER moments_fts_delete;
        DROP TABLE moments_fts;
        CREATE VIRTUAL TABLE moments_fts USING fts5 (
            title, body, tags, url, kind, snapshot,
            tokenize = 'unicode61 remove_diacritics 2',
            prefix = '2 3'
        );
        """
        + _FTS_ROW.format(rowid="m.rowid").replace("WHERE m.rowid = m.rowid AND", "WHERE")
        + """
        CREATE TRIGGER moments_fts_insert AFTER INSERT ON moments BEGIN
        """
        + _FTS_ROW.format(rowid="new.rowid")
        + """
        END;
        CREATE TRIGGER moments_fts_update AFTER UPDATE ON moments BEGIN
            DELETE FROM moments_fts WHERE rowid = old.rowid;
        """
        + _FTS_ROW.format(rowid="new.rowid")
        + """
        END;
        CREATE TRIGGER moments_fts_delete AFTER DELETE ON moments BEGIN
            DELETE FROM moments_fts WHERE rowid = old.rowid;
        END;
        CREATE TRIGGER snapshots_fts_insert AFTER INSERT ON snapshots BEGIN
            DELETE FROM moments_fts WHERE rowid = new.moment_rowid;
        """
        + _FTS_ROW.format(rowid="new.moment_rowid")
        + """
        END;
        CREATE TRIGGER snapshots_fts_update AFTER UPDATE OF text ON snapshots BEGIN
            DELETE FROM moments_fts WHERE rowid = new.moment_rowid;
        """
        + _FTS_ROW.format(rowid="new.moment_rowid")
        + """
        END;
        CREATE TRIGGER snapshots_fts_delete AFTER DELETE ON snapshots BEGIN
            DELETE FROM moments_fts WHERE rowid = old.moment_rowid;
        """
        + _FTS_ROW.format(rowid="old.moment_rowid")
        + """
        END;
        CREATE TRIGGER files_fts_insert AFTER INSERT ON files BEGIN
            DELETE FROM moments_fts WHERE rowid = new.moment_rowid;
        """
        + _FTS_ROW.format(rowid="new.moment_rowid")
        + """
        END;
        CREATE TRIGGER files_fts_delete AFTER DELETE ON files BEGIN
            DELETE FROM moments_fts WHERE rowid = old.moment_rowid;
        """
        + _FTS_ROW.format(rowid="old.moment_rowid")
        + """
        END;
        """,
    )


@migrations(name="0005_index_snapshots_once_they_have_text")
def _v5_snapshot_trigger(db: Database) -> None:
    """A queued snapshot has no text yet: re-indexing its moment then was wasted work."""
    execute_script(
        db,
        """
        DROP TRIGGER snapshots_fts_insert;
        CREATE TRIGGER snapshots_fts_insert AFTER INSERT ON snapshots WHEN new.text IS NOT NULL BEGIN
            DELETE FROM moments_fts WHERE rowid = new.moment_rowid;
        """
        + _FTS_ROW.format(rowid="new.moment_rowid")
        + """
        END;
        """,
    )


@migrations(name="0006_outbox_leases_and_target_waits")
def _v6_leases_and_waits(db: Database) -> None:
    """Claims hold a lease (owner, expiry) so that two processes never send one row twice, and a
    target's "not before" time (after a 429 or an outage) outlives the process that learnt it."""
    execute_script(
        db,
        """
        ALTER TABLE outbox ADD COLUMN lease_owner TEXT;
        ALTER TABLE outbox ADD COLUMN lease_until REAL;
        CREATE TABLE target_waits (
            target TEXT PRIMARY KEY,
            not_before REAL NOT NULL
        ) WITHOUT ROWID;
        """,
    )


_DAY_AFTER = "coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', {}, '+1 day'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+1 day'))"


@migrations(name="0007_resurface_cards")
def _v7_resurface_cards(db: Database) -> None:
    """One spaced-repetition card per tip and resource (the fields of an FSRS card as columns), made
    by a trigger when the moment is saved and first due a day later (a day from now when its stamp does
    not parse); questions never resurface."""
    execute_script(
        db,
        """
        CREATE TABLE resurface_cards (
            moment_rowid INTEGER PRIMARY KEY REFERENCES moments (rowid) ON DELETE CASCADE,
            due TEXT NOT NULL,
            state INTEGER NOT NULL DEFAULT 1,
            step INTEGER DEFAULT 0,
            stability REAL,
            difficulty REAL,
            last_review TEXT,
            reps INTEGER NOT NULL DEFAULT 0,
            lapses INTEGER NOT NULL DEFAULT 0,
            last_shown TEXT,
            never_resurface INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX resurface_cards_by_due ON resurface_cards (due) WHERE never_resurface = 0;
        INSERT INTO resurface_cards (moment_rowid, due)
            SELECT rowid, {due_created_at} FROM moments
            WHERE kind IN ('tip', 'resource') AND deleted_at IS NULL;
        CREATE TRIGGER resurface_cards_insert AFTER INSERT ON moments WHEN new.kind IN ('tip', 'resource')
        BEGIN
            INSERT OR IGNORE INTO resurface_cards (moment_rowid, due)
            VALUES (new.rowid, {due_new_created_at});
        END;
        CREATE TRIGGER resurface_cards_kind AFTER UPDATE OF kind ON moments WHEN new.kind IN ('tip', 'resource')
        BEGIN
            INSERT OR IGNORE INTO resurface_cards (moment_rowid, due)
            VALUES (new.rowid, {due_new_updated_at});
        END;
        """.format(
            due_created_at=_DAY_AFTER.format("created_at"),
            due_new_created_at=_DAY_AFTER.format("new.created_at"),
            due_new_updated_at=_DAY_AFTER.format("new.updated_at"),
        ),
    )


@migrations(name="0008_resurface_review_indexes")
def _v8_resurface_review_indexes(db: Database) -> None:
    """Today's review count and the latest shown card were full scans (tens of ms at 100k moments)."""
    execute_script(
        db,
        """
        CREATE INDEX resurface_cards_by_review ON resurface_cards (last_review) WHERE last_review IS NOT NULL;
        CREATE INDEX resurface_cards_by_shown ON resurface_cards (last_shown) WHERE last_shown IS NOT NULL;
        """,
    )


def known_migration_names() -> list[str]:
    """Names of every migration this version of Inflow knows, in order."""
    return [m.name for m in migrations._migrations]  # no public accessor in sqlite-utils 4
