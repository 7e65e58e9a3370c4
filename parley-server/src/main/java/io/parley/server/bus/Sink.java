package io.parley.server.bus;

/** Where a bus hands what reaches this node: the node's sessions (implemented by the gateway's registry). */
public interface Sink {
    /** Every local session of every recipient of the event: its frame as it is (encoded once, at commit). */
    void deliver(Delivery event);

    /**
     * A run of one conversation's events, in order, all with the recipients of the first: as {@link #deliver(Delivery)}
     * of each in turn (an implementation may find the recipients' sessions once for the run).
     */
    default void deliver(java.util.List<Delivery> run) {
        for (Delivery d : run) {
            deliver(d);
        }
    }

    /** Every local session of every recipient of the signal. */
    void deliver(Signal signal);

    /** Every local session of these users: an encoded ephemeral frame. */
    void sendTo(java.util.List<String> userIds, byte[] frame);

    /** True when the user has a session on this node. */
    boolean hasUser(String userId);

    /**
     * The node's subscription was lost and is back: events published meanwhile did not arrive, so every session
     * must fill its gaps from the store. Called on a bus thread; must not block.
     */
    void resync();
}
