-- Parley schema v17: a message touches the push queue (push_pending) only when a member other than its sender has a
-- push device. Members without a device can never be pushed (the planner leaves them out), so a conversation none of
-- whose members has a device costs neither the upsert of its push_pending row in the send's transaction nor a round
-- of the planner. On PostgreSQL with several nodes that matters twice: the planner's claim locks push_pending rows
-- (FOR UPDATE SKIP LOCKED) inside the writer's batch, and every node's send into one of those conversations waited for
-- it (docs/performance.md, "cluster-3 and the push queue"). A device registered after a message does not get a push
-- for it alone; the next message's push counts it among the unread.
CREATE OR REPLACE FUNCTION push_touch_message() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM members m JOIN push_devices d ON d.user_id = m.user_id
               WHERE m.conversation_id = NEW.conversation_id AND m.user_id <> NEW.actor_id) THEN
        INSERT INTO push_pending (conversation_id, touched_at) VALUES (NEW.conversation_id, NEW.created_at)
        ON CONFLICT (conversation_id) DO UPDATE
        SET touches = push_pending.touches + 1, touched_at = LEAST(push_pending.touched_at, NEW.created_at);
    END IF;
    RETURN NULL;
END;
$$;
