package io.parley.server.gateway;

import io.parley.protocol.ClientFrame;
import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import io.parley.server.auth.Principal;
import io.parley.server.bus.LocalBus;
import io.parley.server.chat.ChatService;
import io.parley.server.chat.EventPublisher;
import io.parley.server.chat.ReceiptBatcher;
import io.parley.server.config.Config;
import io.parley.server.config.ConfigLoader;
import io.parley.server.metrics.Metrics;
import io.parley.server.presence.LocalPresence;
import io.parley.server.presence.PresenceHub;
import io.parley.server.store.jdbc.JdbcChatStore;
import io.parley.server.store.jdbc.SqliteOptions;
import io.parley.server.time.ManualScheduler;
import io.parley.server.wire.Pseudonyms;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The domain a {@link Session} runs against, wired as {@code ParleyServer} wires it but without a socket: the SQLite
 * store in a directory of the test's, the in-process bus and presence, the {@link ManualScheduler} for every timer
 * and a {@link TestLoop} as the sessions' event loop. Users alice and bob share the group {@code g}. Events are made
 * only by {@link #send} (through the real ChatService), so a change to the event type touches none of the tests.
 */
final class SessionNode implements AutoCloseable {
    static final FrameCodec CODEC = new FrameCodec();

    final ManualScheduler manual = new ManualScheduler();
    final TestLoop loop = new TestLoop();
    final Config config;
    final SessionRegistry registry;
    final ChatService chat;
    /** Between the bus and the sessions: it loses the next event when told, as a lost cluster message would. */
    final DroppingSink sink;

    private final LocalPresence presence;
    private final JdbcChatStore store;
    private final ReceiptBatcher receipts;
    private final PresenceHub presenceHub;
    private final Metrics metrics = new Metrics();
    private int sessions;

    SessionNode(Path dir, Map<String, String> overrides) throws Exception {
        Map<String, String> o = new HashMap<>(overrides);
        o.put("http.port", "0");
        config = ConfigLoader.defaultsWith(o);
        presence = new LocalPresence(config.presence().ttl().toMillis(), manual);
        registry = new SessionRegistry(CODEC, presence);
        sink = new DroppingSink(registry);
        LocalBus bus = new LocalBus();
        bus.subscribe(sink);
        java.util.concurrent.atomic.AtomicReference<JdbcChatStore> opened =
                new java.util.concurrent.atomic.AtomicReference<>();
        Pseudonyms pseudonyms = new Pseudonyms(id -> opened.get().strangerAliases(id));
        store = JdbcChatStore.openSqlite(
                dir.resolve("parley.db"), new SqliteOptions(false, 64, 2), new EventPublisher(CODEC, bus, pseudonyms));
        opened.set(store);
        receipts = new ReceiptBatcher(
                store,
                bus,
                pseudonyms,
                config.receipts().window().toMillis(),
                config.receipts().maxFanoutMembers(),
                manual);
        presenceHub = new PresenceHub(presence, store, config.presence(), CODEC, registry, n -> {}, lag -> {}, manual);
        chat = new ChatService(store, config, bus, presence, receipts, pseudonyms, manual.clock());
        for (String user : List.of("alice", "bob")) {
            store.createUser(user, user, "hash").get(10, TimeUnit.SECONDS);
        }
        store.createGroup(
                        "g", "bob", "a group", List.of("alice"), manual.clock().millis())
                .get(10, TimeUnit.SECONDS);
    }

    /** A connection's session; tokens are {@code u:<user>}, anything else is refused. */
    Session session(FakeTransport transport) {
        return session(
                transport,
                token -> token.startsWith("u:")
                        ? CompletableFuture.completedFuture(token.substring(2))
                        : CompletableFuture.failedFuture(new IllegalArgumentException("invalid token")));
    }

    Session session(FakeTransport transport, Function<String, CompletableFuture<String>> authenticator) {
        return new Session(
                "s" + ++sessions,
                transport,
                loop,
                token -> authenticator.apply(token).thenApply(Principal::of),
                chat,
                registry,
                CODEC,
                config,
                presenceHub,
                manual,
                metrics);
    }

    /** A session authenticated by {@code ?token=} as {@code user}, welcomed. */
    Session connected(FakeTransport transport, String user, boolean resume) throws Exception {
        Session s = session(transport);
        if (resume) {
            s.requestResume();
        }
        s.authenticate("u:" + user);
        loop.runUntil(() -> !transport.frames(ServerFrame.Welcome.class).isEmpty(), "welcome");
        return s;
    }

    /** A session that has synced with its cursors at the store's last seqs (nothing to replay): live, holding gaps. */
    Session live(FakeTransport transport, String user) throws Exception {
        Map<String, Long> last = chat.feed().lastSeqs(user).get(10, TimeUnit.SECONDS);
        Session s = connected(transport, user, true);
        s.onText(json(new ClientFrame.Sync(last, null, null)));
        loop.runUntil(() -> !transport.frames(ServerFrame.Synced.class).isEmpty(), "synced");
        return s;
    }

    /** The one way these tests make an event: {@code user} sends {@code body} to the group; returns its seq. */
    long send(String user, String body) throws Exception {
        return chat.send(user, "g", "k-" + body, body)
                .get(10, TimeUnit.SECONDS)
                .event()
                .seq();
    }

    /** The seqs of the group's events the transport was sent, in order. */
    static List<Long> seqs(FakeTransport t) {
        return t.frames(ServerFrame.Event.class).stream()
                .filter(e -> e.conversationId().equals("g"))
                .map(ServerFrame.Event::seq)
                .toList();
    }

    static String json(ClientFrame frame) {
        return CODEC.encode(frame);
    }

    @Override
    public void close() {
        presenceHub.close();
        receipts.close();
        store.close();
        presence.close();
        metrics.close();
    }
}
