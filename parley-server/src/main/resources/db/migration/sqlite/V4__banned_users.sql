-- Parley schema v4: banned accounts (`java -jar parley.jar admin ban`). banned_at is the ban's time (epoch ms), NULL
-- when the user is not banned. A banned user cannot log in, and every node refuses their tokens on REST and
-- WebSocket; nodes read the (short) list of banned ids through the partial index every few seconds.
ALTER TABLE users ADD COLUMN banned_at INTEGER;
CREATE INDEX users_banned ON users (id) WHERE banned_at IS NOT NULL;
