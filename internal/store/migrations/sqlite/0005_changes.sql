-- Live updates (IN5): which conversations and tickets changed, one row each, appended in the
-- transaction of the change (store.Tx.Changed), so that every server instance can tell its open
-- Inbox pages, and a page that reconnects can learn what it missed. The log is pruned after an
-- hour (live.Retention); it is not a history. at is when the row was written, in Unix
-- milliseconds, by the database's clock. No foreign key: a deleted ticket's removal is news too.
-- AUTOINCREMENT: an id is never used twice, even once the newest rows were deleted, so that a
-- browser's Last-Event-ID never names a later change.
CREATE TABLE changes (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id BIGINT  NOT NULL,
    at              BIGINT  NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))
);
CREATE INDEX changes_at ON changes (at);
