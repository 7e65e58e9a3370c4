package io.parley.server.gateway;

/**
 * What a {@link Session} needs from its connection. Calls are made on the session's event-loop context only.
 * Implementations never block: {@link #send} queues.
 */
interface Transport {
    /**
     * Sends one text frame, already UTF-8 encoded. The same array may be handed to many transports (an event is
     * encoded once per node), so implementations never modify it.
     */
    void send(byte[] utf8);

    /** Sends several text frames in order, flushed to the socket together (a page of replayed events). */
    void sendAll(java.util.List<byte[]> utf8Frames);

    /** True when the outbound queue is above its limit: the peer is not reading fast enough. */
    boolean writeQueueFull();

    /** Runs {@code r} once the outbound queue has drained below its limit (immediately if it is not full). */
    void whenDrained(Runnable r);

    void ping();

    /** Stops reading frames from the peer (backpressure) until {@link #resumeReading}. */
    void pauseReading();

    void resumeReading();

    /** Closes with a WebSocket close code. Idempotent. */
    void close(int code, String reason);
}
