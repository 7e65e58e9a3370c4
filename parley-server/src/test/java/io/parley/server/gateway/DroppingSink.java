package io.parley.server.gateway;

import io.parley.server.bus.Delivery;
import io.parley.server.bus.Signal;
import io.parley.server.bus.Sink;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A node's registry as the bus sees it, except that it can lose the next event on purpose (a gap, as a lost cluster
 * message would make): set {@link #dropNext}; the event lost is kept in {@link #dropped}.
 */
final class DroppingSink implements Sink {
    final AtomicBoolean dropNext = new AtomicBoolean();
    final AtomicReference<Delivery> dropped = new AtomicReference<>();
    private final SessionRegistry registry;

    DroppingSink(SessionRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void deliver(Delivery e) {
        if (dropNext.compareAndSet(true, false)) {
            dropped.set(e);
        } else {
            registry.deliver(e);
        }
    }

    @Override
    public void deliver(Signal signal) {
        registry.deliver(signal);
    }

    @Override
    public void sendTo(List<String> userIds, byte[] frame) {
        registry.sendTo(userIds, frame);
    }

    @Override
    public boolean hasUser(String userId) {
        return registry.hasUser(userId);
    }

    @Override
    public void resync() {
        registry.resync();
    }
}
