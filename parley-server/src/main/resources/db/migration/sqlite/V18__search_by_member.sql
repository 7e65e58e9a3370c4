-- Parley schema v18 (SQLite): nothing changes. Version 18 gives PostgreSQL's search indexes the conversation (see
-- the PostgreSQL file); SQLite's FTS5 match has held the searcher's conversations since v5 (one token per
-- conversation in the conv column). Both dialects keep the same versions (SchemaVersionTest), so this one is
-- recorded here too; the statement below reads the schema and changes nothing.
SELECT COUNT(*) FROM sqlite_master WHERE name = 'search_fts';
