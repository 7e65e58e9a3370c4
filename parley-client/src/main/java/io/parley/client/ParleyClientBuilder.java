package io.parley.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import javax.net.ssl.SSLContext;

/** Settings of a {@link ParleyClient}. */
public final class ParleyClientBuilder {
    URI uri;
    URI restUri;
    Supplier<String> tokenSupplier;
    ParleyListener listener = new ParleyListener() {};
    Map<String, Long> initialCursors = Map.of();
    Duration backoffInitial = Duration.ofMillis(250);
    Duration backoffMax = Duration.ofSeconds(30);
    Duration sendTimeout = Duration.ofSeconds(30);
    Duration heartbeatInterval = Duration.ofSeconds(25);
    HttpClient httpClient;
    SSLContext trust;
    RandomGenerator random = RandomGenerator.getDefault();
    Transport transport;
    ClientScheduler scheduler;
    boolean autoDelivered = true;
    boolean echoOwnMessages;

    /** The WebSocket URL, e.g. {@code ws://127.0.0.1:8080/ws} (the token is added as a query parameter). */
    public ParleyClientBuilder uri(URI uri) {
        this.uri = uri;
        return this;
    }

    /**
     * The REST base of {@link ParleyClient#rest()}, e.g. {@code http://127.0.0.1:8080} (default: derived from
     * {@link #uri}: ws becomes http, wss https, and a last {@code /ws} path segment is dropped).
     */
    public ParleyClientBuilder restUri(URI restUri) {
        this.restUri = restUri;
        return this;
    }

    /** Called on every (re)connect, so an expiring token can be refreshed. */
    public ParleyClientBuilder tokenSupplier(Supplier<String> tokenSupplier) {
        this.tokenSupplier = tokenSupplier;
        return this;
    }

    public ParleyClientBuilder listener(ParleyListener listener) {
        this.listener = Objects.requireNonNull(listener);
        return this;
    }

    /** Cursors saved from {@link ParleyClient#cursors()} by an earlier run: resume from there. */
    public ParleyClientBuilder initialCursors(Map<String, Long> cursors) {
        this.initialCursors = Map.copyOf(cursors);
        return this;
    }

    public ParleyClientBuilder reconnectBackoff(Duration initial, Duration max) {
        this.backoffInitial = initial;
        this.backoffMax = max;
        return this;
    }

    /** A message not acked within this time is FAILED (default 30 s). */
    public ParleyClientBuilder sendTimeout(Duration timeout) {
        this.sendTimeout = timeout;
        return this;
    }

    /** Upper bound for the client's ping interval (the server's, from welcome, is used when shorter). */
    public ParleyClientBuilder heartbeatInterval(Duration interval) {
        this.heartbeatInterval = interval;
        return this;
    }

    /**
     * Report received events to the server as delivered (default true): other members see "delivered" receipts.
     * Reports are coalesced per conversation and sent after a short quiet time.
     */
    public ParleyClientBuilder autoDelivered(boolean on) {
        this.autoDelivered = on;
        return this;
    }

    /**
     * Also pass this client's own messages to {@code onEvent} (default false). By default the event of a message
     * this client sent, matched to its outbox entry by clientMsgId, only settles that {@link OutgoingMessage}: a UI
     * that shows outgoing messages from {@code send} and incoming ones from {@code onEvent} shows each message once.
     * Turn it on to see the whole log in {@code onEvent} (an application that stores every event); the outbox entry
     * is settled all the same.
     */
    public ParleyClientBuilder echoOwnMessages(boolean on) {
        this.echoOwnMessages = on;
        return this;
    }

    public ParleyClientBuilder httpClient(HttpClient client) {
        this.httpClient = client;
        return this;
    }

    /**
     * For {@code wss://} and {@code https://} to a server whose certificate a private CA signed: the socket and the
     * REST calls trust the certificates in {@code file} (PKCS#12 or JKS) instead of the JDK's. Ignored when
     * {@link #httpClient} is set (that client's SSL context is used).
     */
    public ParleyClientBuilder trustStore(Path file, char[] password) {
        this.trust = TrustStore.sslContext(file, password);
        return this;
    }

    /** As {@link #trustStore}, with an SSL context made elsewhere. */
    public ParleyClientBuilder sslContext(SSLContext context) {
        this.trust = Objects.requireNonNull(context, "context");
        return this;
    }

    ParleyClientBuilder random(RandomGenerator random) {
        this.random = random;
        return this;
    }

    /** Test seam: the sockets (default: the JDK WebSocket over {@link #httpClient}). */
    ParleyClientBuilder transport(Transport transport) {
        this.transport = transport;
        return this;
    }

    /** Test seam: the client's thread, timers and clock (default: one daemon thread on {@link System#nanoTime()}). */
    ParleyClientBuilder scheduler(ClientScheduler scheduler) {
        this.scheduler = scheduler;
        return this;
    }

    public ParleyClient build() {
        return new ParleyClient(this);
    }
}
