-- Parley schema v11 (issue 15): the push pipeline. Times are epoch milliseconds.

-- Per member: the notify level they chose (NULL: the default of the conversation's kind, DMs 'all', groups
-- 'mentions'), and what the push workers last told their devices: pushed_seq, the conversation's last seq the latest
-- push covered; pushed_at, when it was accepted for sending (the coalescing window starts there); push_shown, 1
-- while that push is on their devices and not yet cleared (reading the conversation elsewhere sends a 'clear').
ALTER TABLE members ADD COLUMN notify TEXT CHECK (notify IN ('all', 'mentions', 'none'));
ALTER TABLE members ADD COLUMN pushed_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE members ADD COLUMN pushed_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE members ADD COLUMN push_shown INTEGER NOT NULL DEFAULT 0;

-- Do not disturb: no push while dnd_until is in the future (NULL: off).
ALTER TABLE users ADD COLUMN dnd_until INTEGER;

-- The durable "conversation touched" queue: one row per conversation with something the workers have not planned
-- yet, written in the transaction that appends the message (the trigger below: an upsert of one small row, never a
-- row per recipient) or moves a read cursor over a push still shown. touched_at: the first unplanned change (the
-- grace window runs from there; a row kept for a later round holds that round's time until a new change comes);
-- touches: bumped by every change, so a plan that read an older count leaves the row for the next round;
-- not_before: a later round the workers asked for (the coalescing window); lease_until: a worker planning it
-- (another node or a restart takes it after the lease).
CREATE TABLE push_pending (
    conversation_id TEXT PRIMARY KEY,
    touched_at      INTEGER NOT NULL,
    touches         INTEGER NOT NULL DEFAULT 0,
    not_before      INTEGER NOT NULL DEFAULT 0,
    lease_until     INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TRIGGER push_touch_message AFTER INSERT ON events WHEN NEW.kind = 'message'
BEGIN
    INSERT INTO push_pending (conversation_id, touched_at) VALUES (NEW.conversation_id, NEW.created_at)
    ON CONFLICT (conversation_id) DO UPDATE SET touches = touches + 1, touched_at = min(touched_at, NEW.created_at);
END;

CREATE TRIGGER push_touch_read AFTER UPDATE OF read_seq ON members
WHEN NEW.push_shown = 1 AND NEW.read_seq >= NEW.pushed_seq AND NEW.read_seq > OLD.read_seq
BEGIN
    INSERT INTO push_pending (conversation_id, touched_at) VALUES (NEW.conversation_id, NEW.receipt_at)
    ON CONFLICT (conversation_id) DO UPDATE SET touches = touches + 1, touched_at = min(touched_at, NEW.receipt_at);
END;

-- One notification to send to one device: planned from push_pending, sent by the workers of any node. One row per
-- device and conversation: a newer plan replaces the payload of one still waiting (coalescing in the queue too).
-- rev: bumped by each replacement (a send that ran meanwhile leaves the newer payload queued); next_at: when it may
-- be tried (backoff, Retry-After, the per-user rate); lease_until: a worker sending it.
CREATE TABLE push_jobs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id       TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    title           TEXT NOT NULL,
    body            TEXT NOT NULL,
    count           INTEGER NOT NULL,
    latest_seq      INTEGER NOT NULL,
    clear           INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    rev             INTEGER NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_at         INTEGER NOT NULL,
    lease_until     INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    UNIQUE (device_id, conversation_id)
);
CREATE INDEX push_jobs_due ON push_jobs (next_at);

-- Jobs given up after push.max-attempts (or refused for good by the provider), for the operator to look at.
CREATE TABLE push_dead (
    id              INTEGER PRIMARY KEY,
    device_id       TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    last_error      TEXT,
    died_at         INTEGER NOT NULL
);
