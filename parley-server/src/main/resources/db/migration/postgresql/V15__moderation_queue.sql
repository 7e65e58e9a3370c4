-- Parley schema v15 (issue 18 item 3, issue 22 item 5): the moderation queue. Times are epoch milliseconds.
--
-- kind 'held': a message of a low-reputation sender, stored here instead of the conversation's log until a server
--   admin approves it (then appended to the log with the next seq, as message_id, seq recording where) or rejects
--   it. sender_id + client_msg_id is the send's idempotency key, beside the log's own (events_idempotency).
-- kind 'report': a stranger chat's report: sender_id is the reported user, reporter_id who reported, body the pair's
--   recent messages ("seq reporter|reported: text" lines, oldest first), reason the reporter's words.
-- status: 'pending' until decided, then 'approved' or 'rejected' by decided_by at decided_at (with note).
CREATE TABLE moderation_queue (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            TEXT NOT NULL,
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    sender_id       TEXT NOT NULL,
    reporter_id     TEXT,
    client_msg_id   TEXT,
    message_id      TEXT,
    body            TEXT NOT NULL,
    reply_to        TEXT,
    reason          TEXT,
    status          TEXT NOT NULL,
    seq             BIGINT,
    decided_by      TEXT,
    decided_at      BIGINT,
    note            TEXT,
    created_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX moderation_queue_idempotency ON moderation_queue (sender_id, client_msg_id)
    WHERE client_msg_id IS NOT NULL;
CREATE INDEX moderation_queue_by_status ON moderation_queue (status, id);
