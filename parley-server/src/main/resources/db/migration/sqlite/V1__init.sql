-- Parley schema v1 (SQLite). Ids are TEXT, times are epoch milliseconds.
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT UNIQUE,
    password_hash TEXT,
    created_at    INTEGER NOT NULL
);

CREATE TABLE conversations (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('direct', 'group')),
    title         TEXT,
    -- For direct conversations: the two user ids, sorted, joined by a newline. One conversation per pair.
    direct_key    TEXT UNIQUE,
    created_by    TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    last_seq      INTEGER NOT NULL DEFAULT 0,
    last_activity INTEGER NOT NULL
);

CREATE TABLE members (
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    user_id         TEXT NOT NULL REFERENCES users (id),
    role            TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    joined_at       INTEGER NOT NULL,
    read_seq        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX members_by_user ON members (user_id);

-- The ordered log of every conversation.
CREATE TABLE events (
    conversation_id TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    actor_id        TEXT NOT NULL,
    message_id      TEXT,
    client_msg_id   TEXT,
    body            TEXT,
    member_id       TEXT,
    role            TEXT,
    title           TEXT,
    PRIMARY KEY (conversation_id, seq)
);
-- Idempotency: one message per sender and clientMsgId.
CREATE UNIQUE INDEX events_idempotency ON events (actor_id, client_msg_id) WHERE client_msg_id IS NOT NULL;
