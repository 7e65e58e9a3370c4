package io.parley.server.bus;

import io.parley.server.store.LogEvent;

/**
 * Carries committed events to every node that has sessions of their recipients.
 *
 * <p>Contract: an event published on a node is handed to the delivery sink of every subscribed node (including this
 * one); events of one conversation published by one node reach each sink in publish order. Delivery is at-most-once:
 * a node that loses its connection to the bus must tell its sessions to resync (they fill gaps from the store), so
 * nothing is silently lost. {@link #publish} never blocks.
 */
public interface Bus extends AutoCloseable {

    void publish(LogEvent event);

    /**
     * Hands an ephemeral signal to every node with sessions of its recipients. Best effort: a signal lost while the
     * bus is down is not recovered (receipts are also sent in full on every resume; typing expires anyway).
     */
    void publish(Signal signal);

    @Override
    void close();
}
