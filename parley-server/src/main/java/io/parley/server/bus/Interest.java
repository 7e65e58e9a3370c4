package io.parley.server.bus;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The one sink a node's bus hands deliveries to, or none: what {@link Bus#subscribe} sets and its
 * {@link Subscription} clears. Shared by the bus implementations so they agree on "once at a time" and on
 * "nothing after close".
 */
public final class Interest {
    private final AtomicReference<Sink> sink = new AtomicReference<>();

    /** The subscribed sink, or null. */
    public Sink sink() {
        return sink.get();
    }

    /**
     * Sets {@code s} as the node's sink; the subscription's close clears it, then runs {@code onClose} (the broker's
     * unsubscribe), once.
     */
    public Subscription subscribe(Sink s, Runnable onClose) {
        if (s == null) {
            throw new NullPointerException("sink");
        }
        if (!sink.compareAndSet(null, s)) {
            throw new IllegalStateException("this node is subscribed to the bus already");
        }
        return new Subscription() {
            private boolean closed;

            @Override
            public synchronized void close() {
                if (!closed) {
                    closed = true;
                    sink.compareAndSet(s, null);
                    onClose.run();
                }
            }
        };
    }
}
