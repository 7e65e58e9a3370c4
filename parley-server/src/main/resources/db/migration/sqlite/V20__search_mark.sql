-- Parley schema v20 (SQLite): new messages are no longer queued for the search index. SQLite gives each row of events
-- a rowid one above the largest committed, and the log is never deleted from, so rowids grow in commit order: the
-- index file (parley.db-search, io.parley.server.store.jdbc.SqliteSearchFile) keeps the rowid of the last message
-- it indexed, moved in its own transaction, and reads what came after it. The send path saves the backlog insert and
-- the store's writer the delete that took it off again. Edits and deletions update a row in place and stay queued
-- (search_queue_update). Layout 2 of the index file is made anew with its mark at 0, so every message is indexed
-- again there and nothing queued before this version is needed.
DROP TRIGGER IF EXISTS search_queue_insert;
DELETE FROM search_pending;
