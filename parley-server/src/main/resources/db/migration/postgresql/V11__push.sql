-- Parley schema v11 (issue 15): the push pipeline. Times are epoch milliseconds. See the SQLite file for the
-- meaning of each column; the queue rows are claimed by the workers of every node with FOR UPDATE SKIP LOCKED and a
-- lease, so two nodes never plan or send the same row.
ALTER TABLE members ADD COLUMN notify TEXT CHECK (notify IN ('all', 'mentions', 'none'));
ALTER TABLE members ADD COLUMN pushed_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE members ADD COLUMN pushed_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE members ADD COLUMN push_shown INTEGER NOT NULL DEFAULT 0;

ALTER TABLE users ADD COLUMN dnd_until BIGINT;

CREATE TABLE push_pending (
    conversation_id TEXT PRIMARY KEY,
    touched_at      BIGINT NOT NULL,
    touches         INTEGER NOT NULL DEFAULT 0,
    not_before      BIGINT NOT NULL DEFAULT 0,
    lease_until     BIGINT NOT NULL DEFAULT 0
);

-- SET search_path FROM CURRENT: as search_queue (V5), the functions find push_pending in the schema they were created
-- in. One function per table: each reads only the columns its table has.
CREATE FUNCTION push_touch_message() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO push_pending (conversation_id, touched_at) VALUES (NEW.conversation_id, NEW.created_at)
    ON CONFLICT (conversation_id) DO UPDATE
    SET touches = push_pending.touches + 1, touched_at = LEAST(push_pending.touched_at, NEW.created_at);
    RETURN NULL;
END;
$$;

CREATE FUNCTION push_touch_read() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO push_pending (conversation_id, touched_at) VALUES (NEW.conversation_id, NEW.receipt_at)
    ON CONFLICT (conversation_id) DO UPDATE
    SET touches = push_pending.touches + 1, touched_at = LEAST(push_pending.touched_at, NEW.receipt_at);
    RETURN NULL;
END;
$$;

CREATE TRIGGER push_touch_message AFTER INSERT ON events
FOR EACH ROW WHEN (NEW.kind = 'message') EXECUTE FUNCTION push_touch_message();
CREATE TRIGGER push_touch_read AFTER UPDATE OF read_seq ON members
FOR EACH ROW WHEN (NEW.push_shown = 1 AND NEW.read_seq >= NEW.pushed_seq AND NEW.read_seq > OLD.read_seq)
EXECUTE FUNCTION push_touch_read();

CREATE TABLE push_jobs (
    id              BIGSERIAL PRIMARY KEY,
    device_id       TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    title           TEXT NOT NULL,
    body            TEXT NOT NULL,
    count           INTEGER NOT NULL,
    latest_seq      BIGINT NOT NULL,
    clear           INTEGER NOT NULL,
    created_at      BIGINT NOT NULL,
    rev             INTEGER NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_at         BIGINT NOT NULL,
    lease_until     BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT,
    UNIQUE (device_id, conversation_id)
);
CREATE INDEX push_jobs_due ON push_jobs (next_at);

CREATE TABLE push_dead (
    id              BIGINT PRIMARY KEY,
    device_id       TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    last_error      TEXT,
    died_at         BIGINT NOT NULL
);
