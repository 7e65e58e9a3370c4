-- Parley schema v13: talk to a stranger (docs/protocol.md, "Matching"). A stranger conversation is a group of two
-- whose id starts with 's_'; stranger_aliases holds each member's pseudonym in it, written in the transaction that
-- creates it, so every node and every restart shows the members to each other by pseudonym only. match_blocks holds
-- the permanent blocks between users (user_id blocked blocked_id): the source of the matcher's blocks, loaded at start.
CREATE TABLE stranger_aliases (
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    user_id         TEXT NOT NULL REFERENCES users (id),
    alias           TEXT NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
);
CREATE TABLE match_blocks (
    user_id    TEXT NOT NULL REFERENCES users (id),
    blocked_id TEXT NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, blocked_id)
);
