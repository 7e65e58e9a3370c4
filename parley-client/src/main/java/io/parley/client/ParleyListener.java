package io.parley.client;

import io.parley.protocol.ServerFrame;

import java.util.Map;

/**
 * Callbacks of a {@link ParleyClient}. All run on the client's own thread, one at a time, in order: do not block in
 * them (hand work to your own executor).
 */
public interface ParleyListener {
    /** A conversation event, exactly once per (conversation, seq), in seq order per conversation. */
    default void onEvent(ServerFrame.Event event) {
    }

    /** Caught up after a (re)connect: what follows is live. {@code lastSeqs} per conversation. */
    default void onSynced(Map<String, Long> lastSeqs) {
    }

    default void onStateChanged(ConnectionState state) {
    }

    /** An outbox message moved to SENT or FAILED. */
    default void onMessageStateChanged(OutgoingMessage message) {
    }

    /** A server error not tied to an outbox message. */
    default void onError(ServerFrame.Error error) {
    }

    /** The server refused the token (4001) and the token supplier offered no new one; the client stopped. */
    default void onAuthFailed(String reason) {
    }

    /** A socket closed (code 1006 when it was lost without a close frame); the client reconnects unless CLOSED. */
    default void onClosed(int code, String reason) {
    }
}
