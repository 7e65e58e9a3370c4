-- Parley schema v19 (SQLite): the search index moves to a database file of its own beside this one
-- (parley.db-search; io.parley.server.store.jdbc.SqliteSearchFile). SQLite has one writer per file: here, every index
-- write was a job of the store's single writer, and the sends queued behind it waited for it. The backlog
-- (search_pending) stays in this file, in the messages' transactions; the store queues every message again when it
-- makes the index file anew, as on the first start of this version.
DROP TABLE IF EXISTS search_fts;
DROP TABLE IF EXISTS search_docs;
