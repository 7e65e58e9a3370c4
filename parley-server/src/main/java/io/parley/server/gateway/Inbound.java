package io.parley.server.gateway;

/**
 * What a {@link WsConnection} hands on, on the channel's event loop: the peer's whole messages (reassembled, text
 * checked as UTF-8), its liveness, and the connection's end. {@link Session} is the one in production; the
 * connection's own tests record the calls.
 */
interface Inbound {
    /** A whole text message. */
    void onText(String text);

    /** A whole binary message (its bytes are not kept: Parley speaks JSON text). */
    void onBinary();

    /** A ping or a pong from the peer: it is alive. */
    void onPong();

    /** The connection is closing or closed (either side). May be called more than once. */
    void onClosed();
}
