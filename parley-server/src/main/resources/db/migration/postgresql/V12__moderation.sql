-- Parley schema v12 (issue 18): server admins, the server-wide admin audit log, conversation mutes and message
-- reports. Times are epoch milliseconds.

-- admin_at: when the user became a server admin (`parley admin grant-admin`, or auth.admins at start); NULL: not one.
ALTER TABLE users ADD COLUMN admin_at BIGINT;
CREATE INDEX users_admins ON users (id) WHERE admin_at IS NOT NULL;

-- Every admin and moderation action, server-wide (GET /api/v1/admin/audit): actor, action, target, time. The
-- conversation-scoped ones (mutes, reports) are in the conversation's audit_log too.
CREATE TABLE admin_audit (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor_id          TEXT NOT NULL,
    action            TEXT NOT NULL,
    target_user_id    TEXT,
    conversation_id   TEXT,
    target_message_id TEXT,
    detail            TEXT,
    created_at        BIGINT NOT NULL
);

-- A member muted in a conversation until until_at (NULL: until unmuted). An expired row means nothing; the next mute
-- or unmute replaces or removes it.
CREATE TABLE mutes (
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    user_id         TEXT NOT NULL REFERENCES users (id),
    until_at        BIGINT,
    muted_by        TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
);

-- A member's report of a message: one per reporter and message (reporting again changes nothing).
CREATE TABLE reports (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    message_id      TEXT NOT NULL,
    sender_id       TEXT NOT NULL,
    reporter_id     TEXT NOT NULL,
    reason          TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    UNIQUE (message_id, reporter_id)
);
CREATE INDEX reports_by_sender ON reports (sender_id);
