package io.parley.server;

import io.parley.client.OutgoingMessage;
import io.parley.client.ParleyClient;
import io.parley.client.ParleyListener;
import io.parley.protocol.ServerFrame;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A user's device in tests: a real {@link ParleyClient} that records every event it is given. */
public final class Chatter implements AutoCloseable {
    final String user;
    final ParleyClient client;
    private final List<ServerFrame.Event> events = new ArrayList<>();
    /** Typing, presence and receipts frames as received, with their arrival time (System.nanoTime). */
    final List<Timed<ServerFrame>> signals = new java.util.concurrent.CopyOnWriteArrayList<>();

    record Timed<T>(long nanos, T frame) {}

    /** When each message body first arrived (System.nanoTime), for latency figures. */
    final Map<String, Long> arrivals = new java.util.concurrent.ConcurrentHashMap<>();

    /** Error frames not tied to a send or a request. */
    private final List<ServerFrame.Error> errors = new java.util.concurrent.CopyOnWriteArrayList<>();

    List<ServerFrame.Error> errors() {
        return List.copyOf(errors);
    }
    /** Every socket close the client saw, for failure messages. */
    final List<String> closes = new java.util.concurrent.CopyOnWriteArrayList<>();

    Chatter(String user, String wsUrl, Map<String, Long> cursors) {
        this(user, wsUrl, cursors, Duration.ofSeconds(30));
    }

    Chatter(String user, String wsUrl, Map<String, Long> cursors, Duration sendTimeout) {
        this(user, wsUrl, cursors, sendTimeout, () -> TestServer.token(user));
    }

    Chatter(
            String user,
            String wsUrl,
            Map<String, Long> cursors,
            Duration sendTimeout,
            java.util.function.Supplier<String> token) {
        this.user = user;
        this.client = ParleyClient.builder()
                .sendTimeout(sendTimeout)
                .uri(URI.create(wsUrl))
                .tokenSupplier(token)
                .initialCursors(cursors)
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(500))
                // The tests read each user's whole log, their own messages included.
                .echoOwnMessages(true)
                .listener(new ParleyListener() {
                    @Override
                    public void onClosed(int code, String reason) {
                        closes.add(code + " " + reason);
                    }

                    @Override
                    public void onError(ServerFrame.Error error) {
                        errors.add(error);
                    }

                    @Override
                    public void onTyping(ServerFrame.Typing typing) {
                        signals.add(new Timed<>(System.nanoTime(), typing));
                    }

                    @Override
                    public void onPresence(List<ServerFrame.PresenceEntry> changes) {
                        signals.add(new Timed<>(System.nanoTime(), new ServerFrame.Presence(changes, null)));
                    }

                    @Override
                    public void onReceipts(ServerFrame.Receipts receipts) {
                        signals.add(new Timed<>(System.nanoTime(), receipts));
                    }

                    @Override
                    public void onEvent(ServerFrame.Event event) {
                        if (event.body() != null) {
                            arrivals.putIfAbsent(event.body(), System.nanoTime());
                        }
                        synchronized (events) {
                            events.add(event);
                            events.notifyAll();
                        }
                    }
                })
                .build();
    }

    static Chatter connect(String user, String wsUrl) {
        return connect(user, wsUrl, Map.of());
    }

    /** Connected with {@code token} (a login's access token) instead of a token of the test secret. */
    static Chatter connectWith(String user, String wsUrl, String token) {
        Chatter c = new Chatter(user, wsUrl, Map.of(), Duration.ofSeconds(30), () -> token);
        try {
            c.client.connect().get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(user + " did not connect", e);
        }
        return c;
    }

    static Chatter connect(String user, String wsUrl, Map<String, Long> cursors) {
        Chatter c = new Chatter(user, wsUrl, cursors);
        try {
            c.client.connect().get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(user + " did not connect", e);
        }
        return c;
    }

    OutgoingMessage send(String conversationId, String body) {
        return client.send(conversationId, body);
    }

    /** Every event received, in arrival order. */
    List<ServerFrame.Event> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    /** Signals of one frame type, in arrival order. */
    <T extends ServerFrame> List<T> signals(Class<T> type) {
        return signals.stream()
                .map(Timed::frame)
                .filter(type::isInstance)
                .map(type::cast)
                .toList();
    }

    /** Polls {@code condition} until it holds; fails after {@code timeout}. */
    static void await(java.util.function.BooleanSupplier condition, Duration timeout, String what) {
        if (!holdsWithin(condition, timeout)) {
            throw new AssertionError("timed out waiting for " + what);
        }
    }

    /** Polls {@code condition} until it holds (true) or {@code timeout} passed (false): {@link Poll}. */
    static boolean holdsWithin(java.util.function.BooleanSupplier condition, Duration timeout) {
        return Poll.holdsWithin(condition, timeout);
    }

    /** Message events received, in arrival order. */
    List<ServerFrame.Event> messages() {
        synchronized (events) {
            return events.stream().filter(e -> e.kind().equals("message")).toList();
        }
    }

    List<ServerFrame.Event> messages(String conversationId) {
        return messages().stream()
                .filter(e -> e.conversationId().equals(conversationId))
                .toList();
    }

    /** Waits until the recorded message events satisfy {@code condition}; fails after {@code timeout}. */
    void awaitMessages(Predicate<List<ServerFrame.Event>> condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (events) {
            while (!condition.test(messages())) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(user + ": timed out waiting for " + what + "; have "
                            + messages().size() + " messages");
                }
                try {
                    events.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
        }
    }

    void awaitCount(String conversationId, int count, Duration timeout) {
        awaitMessages(
                all -> all.stream()
                                .filter(e -> e.conversationId().equals(conversationId))
                                .count()
                        >= count,
                timeout,
                count + " messages in " + conversationId);
    }

    @Override
    public void close() {
        client.close();
    }
}
