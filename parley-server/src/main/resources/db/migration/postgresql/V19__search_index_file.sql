-- Parley schema v19 (PostgreSQL): nothing changes. Version 19 moves SQLite's search index to a file of its own (see
-- the SQLite file); PostgreSQL's index has its own connection and takes no global write lock, so it stays. Both
-- dialects keep the same versions (SchemaVersionTest), so this one is recorded here too; the statement below reads
-- the schema and changes nothing.
SELECT COUNT(*) FROM search_docs;
