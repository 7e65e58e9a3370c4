-- Parley schema v17: a message touches the push queue (push_pending) only when a member other than its sender has a
-- push device. Members without a device can never be pushed (the planner leaves them out), so a conversation none of
-- whose members has a device costs neither the upsert in the send's transaction nor a round of the planner (see the
-- PostgreSQL file for why it matters most there). A device registered after a message does not get a push for it
-- alone; the next message's push counts it among the unread.
DROP TRIGGER push_touch_message;
CREATE TRIGGER push_touch_message AFTER INSERT ON events
WHEN NEW.kind = 'message' AND EXISTS (SELECT 1 FROM members m JOIN push_devices d ON d.user_id = m.user_id
                                      WHERE m.conversation_id = NEW.conversation_id AND m.user_id <> NEW.actor_id)
BEGIN
    INSERT INTO push_pending (conversation_id, touched_at) VALUES (NEW.conversation_id, NEW.created_at)
    ON CONFLICT (conversation_id) DO UPDATE SET touches = touches + 1, touched_at = min(touched_at, NEW.created_at);
END;
