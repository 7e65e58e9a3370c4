package io.parley.client;

/** Where a {@link ParleyClient} is in its connection lifecycle. */
public enum ConnectionState {
    /** Built, {@link ParleyClient#connect()} not called yet. */
    IDLE,
    /** Opening a socket and waiting for {@code welcome}. */
    CONNECTING,
    /** Welcomed; replaying what was missed, waiting for {@code synced}. */
    SYNCING,
    /** Caught up; live events flow. */
    LIVE,
    /** Connection lost; waiting out the backoff delay before the next attempt. */
    BACKOFF,
    /** Closed by {@link ParleyClient#close()} or after an authentication failure; will not reconnect. */
    CLOSED
}
