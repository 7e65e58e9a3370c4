-- Parley schema v6 (SQLite): attachments (issue 16). One row per upload slot; the bytes live in the blob store under
-- blob_key (and thumbnail_key for images). status: slot -> pending (finalized, in quarantine) -> ready | rejected.
-- message_id is set when a message refers to the attachment (position: its place among the message's attachments);
-- deleted_at when that message was deleted. Attachment events in the log keep their JSON in events.body, which a
-- deletion clears like a message's text.
CREATE TABLE attachments (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    uploader_id     TEXT NOT NULL,
    name            TEXT NOT NULL,
    declared_type   TEXT NOT NULL,
    content_type    TEXT,
    size            INTEGER NOT NULL,
    sha256          TEXT,
    status          TEXT NOT NULL CHECK (status IN ('slot', 'pending', 'ready', 'rejected')),
    message_id      TEXT,
    position        INTEGER,
    blob_key        TEXT NOT NULL,
    thumbnail_key   TEXT,
    width           INTEGER,
    height          INTEGER,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    deleted_at      INTEGER
);
CREATE INDEX attachments_by_message ON attachments (message_id, position) WHERE message_id IS NOT NULL;
CREATE INDEX attachments_by_status ON attachments (status, created_at);
