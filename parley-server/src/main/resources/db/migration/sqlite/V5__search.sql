-- Parley schema v5 (SQLite): message search. The server tokenizes in Java (io.parley.server.search.Tokenizer) and
-- FTS5 indexes those tokens as they are: the 'ascii' tokenizer keeps every non-ASCII character inside a token and
-- the Java tokens are letters and digits separated by spaces, so FTS5 never splits or folds them again.

-- The durable backlog: every message row inserted, edited or deleted is queued here in the same transaction (the
-- triggers below), and the indexer (after commit, off the send path) takes it from here. A crash loses nothing:
-- what is queued stays queued until indexed. A rebuild queues every message again.
CREATE TABLE search_pending (
    conversation_id TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, seq)
) WITHOUT ROWID;

CREATE TRIGGER search_queue_insert AFTER INSERT ON events WHEN NEW.kind = 'message'
BEGIN
    INSERT OR IGNORE INTO search_pending (conversation_id, seq) VALUES (NEW.conversation_id, NEW.seq);
END;

CREATE TRIGGER search_queue_update AFTER UPDATE OF body, edited_body, edited_at, deleted_at ON events
WHEN NEW.kind = 'message'
BEGIN
    INSERT OR IGNORE INTO search_pending (conversation_id, seq) VALUES (NEW.conversation_id, NEW.seq);
END;

-- One row per indexed message; id is the FTS5 rowid. version is the message's edited_at (0: never edited) the
-- tokens were made from: a search returns a hit only while the message still has that version, so an edit hides
-- the old text at once, before the indexer has caught up.
CREATE TABLE search_docs (
    id              INTEGER PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    version         INTEGER NOT NULL,
    UNIQUE (conversation_id, seq)
);

-- conv: the conversation as one token (hex of its id), so a search intersects the posting lists of the user's
-- conversations with the terms' instead of filtering every match afterwards. words: words and CJK bigrams in
-- order (phrases); chars: the CJK characters (one-character queries).
CREATE VIRTUAL TABLE search_fts USING fts5(
    conv, words, chars,
    content = '', contentless_delete = 1, tokenize = 'ascii', prefix = '2 3', detail = full
);

-- Backfill: what was stored before this version is queued and indexed by the first node that starts on it.
INSERT INTO search_pending (conversation_id, seq)
SELECT conversation_id, seq FROM events WHERE kind = 'message' AND deleted_at IS NULL;
