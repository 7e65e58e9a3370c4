-- Parley schema v14 (issue 19 item 5): last seen kept across restarts on the embedded default. The time (epoch ms)
-- a user's last session closed, written by presence.LastSeenKeeper in batches; NULL: never seen since this version.
ALTER TABLE users ADD COLUMN last_seen_at BIGINT;
