package io.parley.server.bus;

import java.util.List;

/**
 * Carries committed events and ephemeral signals to every node that has sessions of their recipients.
 *
 * <p>Contract:
 * <ul>
 *   <li><b>Interest.</b> A node hears the bus through the one {@link Sink} it {@link #subscribe}s with, from the
 *       moment {@code subscribe} returns until the {@link Subscription} is closed; a node without a subscription is
 *       handed nothing, not even what it publishes itself (it still publishes to the others). A node subscribes at
 *       most once at a time ({@link IllegalStateException} otherwise); after closing it may subscribe again, and
 *       what was published in between is not replayed (the sessions resync from the store).</li>
 *   <li><b>Delivery.</b> An event reaches the sink of every subscribed node that has a session of one of its
 *       recipients ({@link Sink#hasUser}), the publishing node included, once, handed over with that node's recipients
 *       only (the publishing node gets every event it publishes with all its recipients; its sink picks the local
 *       sessions).</li>
 *   <li><b>Order.</b> Events of one conversation published by one node reach each sink in publish order.</li>
 *   <li><b>Loss.</b> Delivery is at-most-once: when a node's subscription was lost (its connection to a broker
 *       dropped) and is back, the bus calls {@link Sink#resync} so the node's sessions fill gaps from the store;
 *       nothing is silently lost.</li>
 *   <li>{@link #publish} never blocks; after {@link #close} it does nothing.</li>
 * </ul>
 */
public interface Bus extends AutoCloseable {

    /** Hands a committed event (its frame encoded once, at commit) to every node with sessions of its recipients. */
    void publish(Delivery event);

    /**
     * Hands a run of committed events of one conversation, in commit order, all with the same recipients (one write's
     * events: a group's creation, members added together), exactly as {@link #publish(Delivery)} of each in turn would,
     * order and delivery rules included; a bus may carry the run as one message with the recipients once.
     */
    default void publish(List<Delivery> run) {
        for (Delivery d : run) {
            publish(d);
        }
    }

    /**
     * Hands an ephemeral signal to every node with sessions of its recipients. Best effort: a signal lost while the
     * bus is down is not recovered (receipts are also sent in full on every resume; typing expires anyway).
     */
    void publish(Signal signal);

    /**
     * Starts handing this node's share of the bus to {@code sink}; may block until the broker confirmed the
     * subscription (a node that cannot hear the others must not start). Throws {@link IllegalStateException} when
     * this node is subscribed already or the subscription cannot be made.
     */
    Subscription subscribe(Sink sink);

    @Override
    void close();
}
