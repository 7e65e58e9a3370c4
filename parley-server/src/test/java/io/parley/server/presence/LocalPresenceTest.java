package io.parley.server.presence;

import io.parley.server.time.ManualScheduler;
import java.time.Duration;

/** The in-process presence: one node, so the "other node" is the same instance. Its time is a manual scheduler's. */
class LocalPresenceTest extends PresenceContract {
    private final ManualScheduler time = new ManualScheduler();

    @Override
    protected Presence create(long ttlMillis) {
        return new LocalPresence(ttlMillis, time);
    }

    @Override
    protected void pass(Duration d) {
        time.advance(d);
    }

    @Override
    protected long now() {
        return time.clock().millis();
    }

    @Override
    protected Presence open(Presence first) {
        return new Presence() {
            // Same state; close() of this view must not stop the shared instance twice.
            @Override
            public java.util.concurrent.CompletableFuture<Void> connected(String userId, String sessionId) {
                return first.connected(userId, sessionId);
            }

            @Override
            public java.util.concurrent.CompletableFuture<Void> disconnected(String userId, String sessionId) {
                return first.disconnected(userId, sessionId);
            }

            @Override
            public java.util.concurrent.CompletableFuture<Void> refresh(java.util.Map<String, String> sessions) {
                return first.refresh(sessions);
            }

            @Override
            public java.util.concurrent.CompletableFuture<java.util.Map<String, PresenceState>> lookup(
                    java.util.Collection<String> userIds) {
                return first.lookup(userIds);
            }

            @Override
            public void listen(java.util.function.Consumer<PresenceState> listener) {
                first.listen(listener);
            }

            @Override
            public java.util.concurrent.CompletableFuture<Boolean> tryTyping(
                    String conversationId, String userId, boolean active, long interval, long ttl) {
                return first.tryTyping(conversationId, userId, active, interval, ttl);
            }

            @Override
            public void close() {}
        };
    }
}
