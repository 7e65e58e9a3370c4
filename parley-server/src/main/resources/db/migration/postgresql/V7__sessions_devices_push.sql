-- Parley schema v7 (issue 15): device sessions with rotating refresh tokens, the revocation log every node reads,
-- push devices. Times are epoch milliseconds.

-- One row per signed-in device: a login, or the first connection with a token minted by an external backend (its
-- id is then the token's sid or jti claim). revoked_at is set once and never cleared.
CREATE TABLE auth_sessions (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    name         TEXT,
    platform     TEXT,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    ip           TEXT,
    user_agent   TEXT,
    external     SMALLINT NOT NULL DEFAULT 0,
    revoked_at   BIGINT
);
CREATE INDEX auth_sessions_user ON auth_sessions (user_id, created_at);

-- Every refresh token ever issued for a session (its family), by SHA-256 hash; used_at is set when it was exchanged.
-- Presenting a used one again is a replay: the whole session (the family) is revoked.
CREATE TABLE refresh_tokens (
    token_hash  TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES auth_sessions (id),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- What every node must refuse and close, in commit order: kind 'session' (target: a session id), 'user' (target: a
-- user id; tokens of that user issued before `at` are refused: logout everywhere, also for external tokens without a
-- sid) and 'ban' (target: a user id; the node re-reads its ban list). Nodes read it at start and poll it for rows
-- written by other processes (admin ban); in a cluster Redis carries the same orders at once.
CREATE TABLE revocations (
    id      BIGSERIAL PRIMARY KEY,
    kind    TEXT NOT NULL CHECK (kind IN ('session', 'user', 'ban')),
    target  TEXT NOT NULL,
    user_id TEXT NOT NULL,
    at      BIGINT NOT NULL
);
CREATE INDEX revocations_at ON revocations (at);

-- Push targets, each belonging to the session that registered it (revoking the session removes them).
CREATE TABLE push_devices (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id),
    session_id  TEXT NOT NULL REFERENCES auth_sessions (id),
    platform    TEXT NOT NULL CHECK (platform IN ('webpush', 'fcm', 'apns')),
    token       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (platform, token)
);
CREATE INDEX push_devices_user ON push_devices (user_id);
