/**
 * The domain rules of conversations and messages ({@code ChatService}), the refused-request exception (an {@link
 * io.parley.protocol.ErrorCode}, no transport status), receipt batching, the narrow read doors {@code Feed} and
 * {@code Users}, and {@code EventPublisher}: the store's commit listener, which encodes each event's frame once and
 * publishes it on the bus.
 * <p>
 * Rung 4: may import presence, bus, auth, wire, store, config, time, metrics and the protocol module; never a face
 * (api, gateway) or an adapter (redis, store.jdbc).
 */
package io.parley.server.chat;
