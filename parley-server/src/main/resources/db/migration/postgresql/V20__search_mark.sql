-- Parley schema v20 (PostgreSQL): nothing changes. Version 20 stops queueing new messages for SQLite's search index
-- (its rowids grow in commit order; see the SQLite file). PostgreSQL's sequences do not (several writers and nodes
-- draw from them and commit in any order), so every message stays queued here. Both dialects keep the same versions
-- (SchemaVersionTest); the statement below reads the schema and changes nothing.
SELECT COUNT(*) FROM search_pending;
