-- Parley schema v3: where each member joined the log, so that receipts never claim what did not happen.
-- joined_seq is the conversation's last seq when the member was added: messages up to it were sent before they
-- joined, and per-message receipts (GET .../messages/{id}/receipts) leave them out of those. A member's cursors
-- start at joined_seq (history is not unread), delivered first: delivered_seq >= read_seq always.
ALTER TABLE members ADD COLUMN joined_seq INTEGER NOT NULL DEFAULT 0;
UPDATE members SET delivered_seq = read_seq WHERE delivered_seq < read_seq;
