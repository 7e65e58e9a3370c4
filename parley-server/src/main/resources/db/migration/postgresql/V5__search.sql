-- Parley schema v5 (PostgreSQL): message search. The server tokenizes in Java (io.parley.server.search.Tokenizer);
-- PostgreSQL stores those tokens as tsvectors of the 'simple' kind (no stemming, no stop words), built from a
-- tsvector literal rather than to_tsvector, so PostgreSQL's own parser (whose handling of CJK depends on the
-- server's locale) never splits them again, and searches them through a GIN index.

-- The durable backlog: every message row inserted, edited or deleted is queued here in the same transaction (the
-- trigger below), and the indexer of some node (after commit, off the send path) takes it from here with
-- FOR UPDATE SKIP LOCKED. A crash loses nothing: what is queued stays queued until indexed. A rebuild queues every
-- message again. An edit that arrives while an indexer holds the row waits for it (DO UPDATE) and queues the
-- message again after it, so the newer text is indexed too.
CREATE TABLE search_pending (
    conversation_id TEXT NOT NULL,
    seq             BIGINT NOT NULL,
    queued          INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, seq)
);

-- SET search_path FROM CURRENT: the function finds search_pending in the schema it was created in, whatever the
-- search_path of the session that writes the event (another tool, an operator's psql), so no write fails on it.
CREATE FUNCTION search_queue() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF NEW.kind = 'message' THEN
        INSERT INTO search_pending (conversation_id, seq) VALUES (NEW.conversation_id, NEW.seq)
        ON CONFLICT (conversation_id, seq) DO UPDATE SET queued = search_pending.queued + 1;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER search_queue_insert AFTER INSERT ON events
FOR EACH ROW WHEN (NEW.kind = 'message') EXECUTE FUNCTION search_queue();
CREATE TRIGGER search_queue_update AFTER UPDATE OF body, edited_body, edited_at, deleted_at ON events
FOR EACH ROW WHEN (NEW.kind = 'message') EXECUTE FUNCTION search_queue();

-- One row per indexed message. version is the message's edited_at (0: never edited) the tokens were made from: a
-- search returns a hit only while the message still has that version, so an edit hides the old text at once.
-- words: words and CJK bigrams with positions (phrases); chars: the CJK characters (one-character queries).
CREATE TABLE search_docs (
    conversation_id TEXT NOT NULL,
    seq             BIGINT NOT NULL,
    version         BIGINT NOT NULL,
    words           TSVECTOR NOT NULL,
    chars           TSVECTOR NOT NULL,
    PRIMARY KEY (conversation_id, seq)
);
CREATE INDEX search_docs_words ON search_docs USING GIN (words);
CREATE INDEX search_docs_chars ON search_docs USING GIN (chars);

-- Backfill: what was stored before this version is queued and indexed by the first node that starts on it.
INSERT INTO search_pending (conversation_id, seq)
SELECT conversation_id, seq FROM events WHERE kind = 'message' AND deleted_at IS NULL;
