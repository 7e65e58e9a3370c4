package io.parley.client;

/**
 * One socket attempt, below the protocol: text frames out, and {@link Events} in (on the client's thread). A
 * {@link Transport} makes them; {@link JdkTransport} is the JDK WebSocket, the conformance tests use a fake.
 */
interface Connection {
    /** Callbacks, run on the client's executor. */
    interface Events {
        /** The socket is open (the upgrade succeeded). */
        void opened(Connection c);

        /** One whole text message. */
        void text(Connection c, String text);

        /** The connection is over; called once, whatever ended it (1006 when it was lost without a close frame). */
        void ended(Connection c, int code, String reason);
    }

    /** Queues a text frame behind earlier ones; dropped when the socket is not open. On the client's thread. */
    void send(String text);

    /** Drops the socket without a close handshake and reports the end as 1006. On the client's thread. */
    void abort(String reason);

    /** Closes with a handshake, without reporting the end. On the client's thread. */
    void close(int code, String reason);
}
