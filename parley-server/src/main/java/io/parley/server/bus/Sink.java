package io.parley.server.bus;

import io.parley.server.store.LogEvent;

/** Where a bus hands what reaches this node: the node's sessions (implemented by the gateway's registry). */
public interface Sink {
    /** Every local session of every recipient of the event. */
    void deliver(LogEvent event);

    /** Every local session of every recipient of the signal. */
    void deliver(Signal signal);

    /** One user's local sessions: an event that came from another node, its frame already encoded. */
    void deliverEncoded(String userId, LogEvent event, byte[] frame);

    /** One user's local sessions: an encoded ephemeral frame. */
    void sendTo(String userId, byte[] frame);
}
