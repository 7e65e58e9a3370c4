package io.parley.server.bus;

/**
 * A node's interest in the bus, from {@link Bus#subscribe} until {@link #close}. Closing is idempotent; once it
 * returns, the sink it was made for is handed nothing more (a delivery already running may finish).
 */
public interface Subscription extends AutoCloseable {
    @Override
    void close();
}
