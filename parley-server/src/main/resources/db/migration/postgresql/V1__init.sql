-- Parley schema v1 (PostgreSQL). Ids are TEXT, times are epoch milliseconds (BIGINT), like the SQLite schema.
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT UNIQUE,
    password_hash TEXT,
    created_at    BIGINT NOT NULL
);

CREATE TABLE conversations (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('direct', 'group')),
    title         TEXT,
    -- For direct conversations: the two user ids, sorted, joined by a newline. One conversation per pair.
    direct_key    TEXT UNIQUE,
    created_by    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    -- The log position counter: UPDATE ... SET last_seq = last_seq + 1 RETURNING last_seq, in the committing
    -- transaction, row-locks the conversation, so writers on different nodes get distinct, gapless seqs.
    last_seq      BIGINT NOT NULL DEFAULT 0,
    last_activity BIGINT NOT NULL
);

CREATE TABLE members (
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    user_id         TEXT NOT NULL REFERENCES users (id),
    role            TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    joined_at       BIGINT NOT NULL,
    read_seq        BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX members_by_user ON members (user_id);

-- The ordered log of every conversation.
CREATE TABLE events (
    conversation_id TEXT NOT NULL,
    seq             BIGINT NOT NULL,
    kind            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
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
