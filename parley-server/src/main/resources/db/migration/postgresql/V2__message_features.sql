-- Parley schema v2 (PostgreSQL): edits, deletes, reactions, replies, receipt cursors, moderation audit log.

-- Message rows: replies, the current text after edits, and the tombstone of a deletion. The log keeps each
-- message's original body at its seq and each edit as its own message_edited event; a deletion clears all of them.
ALTER TABLE events ADD COLUMN emoji TEXT;
ALTER TABLE events ADD COLUMN reply_to TEXT;
ALTER TABLE events ADD COLUMN reply_snippet TEXT;
ALTER TABLE events ADD COLUMN edited_body TEXT;
ALTER TABLE events ADD COLUMN edited_at BIGINT;
ALTER TABLE events ADD COLUMN deleted_at BIGINT;
-- Message ids are unique; edits, deletes and reactions find their message (and its versions) by id.
CREATE INDEX events_by_message ON events (message_id, seq) WHERE message_id IS NOT NULL;
CREATE INDEX events_replies ON events (conversation_id, reply_to, seq) WHERE reply_to IS NOT NULL;

-- Receipt cursors: delivered_seq >= read_seq; receipt_at (ms) lets a resuming device fetch only what changed.
ALTER TABLE members ADD COLUMN delivered_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE members ADD COLUMN receipt_at BIGINT NOT NULL DEFAULT 0;
UPDATE members SET delivered_seq = read_seq;

-- Large conversations get no per-member presence or receipt fanout; the count is kept with each join and leave.
ALTER TABLE conversations ADD COLUMN member_count BIGINT NOT NULL DEFAULT 0;
UPDATE conversations SET member_count = (SELECT COUNT(*) FROM members m WHERE m.conversation_id = conversations.id);

CREATE TABLE reactions (
    conversation_id TEXT NOT NULL,
    message_id      TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    emoji           TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (message_id, emoji, user_id)
);

CREATE TABLE audit_log (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id   TEXT NOT NULL,
    actor_id          TEXT NOT NULL,
    action            TEXT NOT NULL,
    target_message_id TEXT,
    target_user_id    TEXT,
    seq               BIGINT,
    created_at        BIGINT NOT NULL
);
CREATE INDEX audit_by_conversation ON audit_log (conversation_id, id);
