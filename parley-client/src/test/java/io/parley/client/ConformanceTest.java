package io.parley.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.protocol.ServerFrame;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Plays every recorded exchange of conformance/exchanges (the step format is in conformance/README.md) against the
 * real {@link ParleyClient}, with {@link FakeTransport} as the network and {@link ManualScheduler} as the client's
 * thread and clock: time moves only by the recorded advances. web-tests/conformance.test.mjs plays the same files
 * against parley-client.js.
 */
class ConformanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ACTIONS = Set.of("call", "open", "in", "serverClose", "advance");

    @TestFactory
    Stream<DynamicTest> exchanges() throws IOException {
        Path dir = exchangesDir();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new AssertionError("no exchanges in " + dir);
        }
        return files.stream()
                .map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), f.toUri(), () -> {
                    new Run((ObjectNode) JSON.readTree(f.toFile())).play();
                }));
    }

    static Path exchangesDir() {
        String configured = System.getProperty("parley.conformance.dir");
        if (configured != null) {
            return Path.of(configured, "exchanges");
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("conformance").resolve("exchanges");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError(
                "conformance/exchanges not found above " + Path.of("").toAbsolutePath());
    }

    /** One exchange being played. */
    private static final class Run {
        private final ObjectNode exchange;
        private final ObjectNode options;
        private final Set<String> observe = new HashSet<>();
        private final ManualScheduler scheduler = new ManualScheduler();
        private final ArrayDeque<ObjectNode> wire = new ArrayDeque<>();
        private final ArrayDeque<ObjectNode> app = new ArrayDeque<>();
        private final FakeTransport transport = new FakeTransport(this::wireOut);
        private final Map<String, JsonNode> vars = new HashMap<>();
        private final Map<String, OutgoingMessage> messages = new HashMap<>();
        private final Map<String, CompletableFuture<?>> requests = new HashMap<>();
        private final List<String> tokens = new ArrayList<>();
        private int tokenCalls;
        private final ParleyClient client;
        private String where = "setup";

        Run(ObjectNode exchange) {
            this.exchange = exchange;
            this.options = exchange.has("client") ? (ObjectNode) exchange.get("client") : JSON.createObjectNode();
            JsonNode obs = exchange.get("observe");
            if (obs == null) {
                observe.addAll(List.of("event", "message", "synced", "authfailed", "error"));
            } else {
                obs.forEach(n -> observe.add(n.asText()));
            }
            options.path("tokens").forEach(t -> tokens.add(t.asText()));
            if (tokens.isEmpty()) {
                tokens.add("t1");
            }
            Map<String, Long> initial = new HashMap<>();
            options.path("initialCursors")
                    .fields()
                    .forEachRemaining(e -> initial.put(e.getKey(), e.getValue().asLong()));
            boolean max = !"min".equals(options.path("jitter").asText("max"));
            client = ParleyClient.builder()
                    .uri(URI.create(options.path("url").asText("ws://parley.test/ws")))
                    .tokenSupplier(() -> tokens.get(Math.min(tokenCalls++, tokens.size() - 1)))
                    .initialCursors(initial)
                    .reconnectBackoff(
                            Duration.ofMillis(options.path("backoffInitialMs").asLong(250)),
                            Duration.ofMillis(options.path("backoffMaxMs").asLong(30_000)))
                    .sendTimeout(Duration.ofMillis(options.path("sendTimeoutMs").asLong(30_000)))
                    .heartbeatInterval(Duration.ofMillis(
                            options.path("heartbeatIntervalMs").asLong(25_000)))
                    .autoDelivered(options.path("autoDelivered").asBoolean(false))
                    .listener(new Recorder())
                    .random(new FixedJitter(max))
                    .transport(transport)
                    .scheduler(scheduler)
                    .build();
        }

        void play() {
            int i = 0;
            for (JsonNode step : exchange.withArray("steps")) {
                i++;
                where = "step " + i + " " + step;
                String kind = kindOf(step);
                if (ACTIONS.contains(kind)) {
                    expectQuiet("before step " + i);
                }
                switch (kind) {
                    case "call" -> call((ObjectNode) step);
                    case "open" -> transport.last().accept();
                    case "in" ->
                        transport.last().deliver(substitute(step.get("in")).toString());
                    case "serverClose" ->
                        transport
                                .last()
                                .serverClose(
                                        step.get("serverClose").path("code").asInt(),
                                        step.get("serverClose").path("reason").asText(""));
                    case "advance" -> scheduler.advance(step.get("advance").asLong());
                    case "out", "connect", "outClose", "drop" -> expectWire(step, kind);
                    case "app" -> expectApp(step.get("app"));
                    case "check" -> check(step.get("check"));
                    case "note" -> {}
                    default -> fail("unknown step kind '" + kind + "'");
                }
            }
            where = "end";
            expectQuiet("at the end");
        }

        /** A call step has its arguments beside "call"; every other step has one key (and maybe a "note"). */
        private static String kindOf(JsonNode step) {
            if (step.has("call")) {
                return "call";
            }
            for (Iterator<String> it = step.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!k.equals("note")) {
                    return k;
                }
            }
            return "note";
        }

        // ---- API calls ---------------------------------------------------------------------------------------------

        private void call(ObjectNode s) {
            String conv = s.path("conversationId").asText(null);
            String as = s.path("as").asText(null);
            switch (s.get("call").asText()) {
                case "connect" -> client.connect();
                case "send" -> {
                    OutgoingMessage m;
                    if (s.has("replyTo")) {
                        m = client.reply(conv, text(s, "replyTo"), text(s, "body"));
                    } else if (s.has("clientMsgId")) {
                        m = client.send(conv, text(s, "clientMsgId"), text(s, "body"));
                    } else {
                        m = client.send(conv, text(s, "body"));
                    }
                    String name = as != null ? as : m.clientMsgId();
                    messages.put(name, m);
                    bind(name, m.clientMsgId());
                }
                case "retry" -> client.retry(message(text(s, "message")));
                case "edit" -> requests.put(as, client.edit(conv, text(s, "messageId"), text(s, "body")));
                case "delete" -> requests.put(as, client.delete(conv, text(s, "messageId")));
                case "react" ->
                    requests.put(
                            as,
                            client.react(
                                    conv,
                                    text(s, "messageId"),
                                    text(s, "emoji"),
                                    s.path("add").asBoolean(true)));
                case "queryPresence" -> {
                    List<String> ids = new ArrayList<>();
                    s.path("userIds").forEach(n -> ids.add(n.asText()));
                    requests.put(as, client.queryPresence(ids));
                }
                case "matchJoin" -> {
                    List<String> interests = new ArrayList<>();
                    s.path("interests").forEach(n -> interests.add(n.asText()));
                    requests.put(
                            as,
                            client.matchJoin(
                                    interests,
                                    s.hasNonNull("language") ? s.get("language").asText() : null,
                                    s.path("takeover").asBoolean(false)));
                }
                case "matchLeave" -> requests.put(as, client.matchLeave());
                case "matchNext" -> requests.put(as, client.matchNext());
                case "matchEnd" -> requests.put(as, client.matchEnd());
                case "matchBlock" -> requests.put(as, client.matchBlock());
                case "matchReport" ->
                    requests.put(
                            as,
                            client.matchReport(
                                    s.hasNonNull("reason") ? s.get("reason").asText() : null));
                case "markRead" -> client.markRead(conv, s.path("seq").asLong());
                case "typing" -> client.typing(conv, s.path("active").asBoolean(true));
                case "abortConnection" -> client.abortConnection();
                case "close" -> client.close();
                default -> fail("unknown call " + s.get("call"));
            }
        }

        private String text(ObjectNode s, String field) {
            JsonNode v = substitute(s.get(field));
            if (v == null || v.isNull()) {
                fail("call needs '" + field + "'");
            }
            return v.asText();
        }

        private void bind(String name, String value) {
            JsonNode old = vars.putIfAbsent(name, JsonNodeFactory.instance.textNode(value));
            if (old != null && !old.asText().equals(value)) {
                fail("$" + name + " is already " + old + ", not " + value);
            }
        }

        private OutgoingMessage message(String name) {
            OutgoingMessage m = messages.get(name);
            if (m == null) {
                fail("no message sent as '" + name + "'");
            }
            return m;
        }

        // ---- what the client did -----------------------------------------------------------------------------------

        private void wireOut(FakeTransport.Wire w) {
            ObjectNode n = JSON.createObjectNode();
            if (w instanceof FakeTransport.Wire.Connect c) {
                n.put("connect", c.url());
            } else if (w instanceof FakeTransport.Wire.Text t) {
                try {
                    n.set("out", JSON.readTree(t.text()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            } else if (w instanceof FakeTransport.Wire.Close c) {
                n.put("outClose", c.code());
            } else {
                n.put("drop", true);
            }
            wire.add(n);
        }

        private void expectWire(JsonNode step, String kind) {
            ObjectNode actual = wire.poll();
            if (actual == null) {
                fail("expected " + step + " but the client did nothing more on the wire");
            }
            ObjectNode expected = JSON.createObjectNode();
            expected.set(kind, step.get(kind));
            String diff = match(expected, actual, "");
            if (diff != null) {
                fail("expected " + expected + " but the client did " + actual + " (" + diff + ")");
            }
        }

        private void expectApp(JsonNode expected) {
            ObjectNode actual = app.poll();
            if (actual == null) {
                fail("expected the app to be told " + expected + " but it was told nothing more");
            }
            String diff = match(expected, actual, "");
            if (diff != null) {
                fail("expected the app to be told " + expected + " but it was told " + actual + " (" + diff + ")");
            }
        }

        private void expectQuiet(String when) {
            if (!wire.isEmpty()) {
                fail("unexpected client output " + when + ": " + wire);
            }
            if (!app.isEmpty()) {
                fail("unexpected notifications " + when + ": " + app);
            }
        }

        private final class Recorder implements ParleyListener {
            private void note(String on, ObjectNode n) {
                if (observe.contains(on)) {
                    ObjectNode r = JSON.createObjectNode().put("on", on);
                    r.setAll(n);
                    app.add(r);
                }
            }

            @Override
            public void onEvent(ServerFrame.Event e) {
                note(
                        "event",
                        JSON.createObjectNode()
                                .put("conversationId", e.conversationId())
                                .put("seq", e.seq())
                                .put("kind", e.kind()));
            }

            @Override
            public void onMatch(ServerFrame.Match m) {
                ObjectNode n = JSON.createObjectNode().put("event", m.event());
                if (m.conversationId() != null) {
                    n.put("conversationId", m.conversationId());
                }
                if (m.partner() != null) {
                    n.put("partner", m.partner());
                }
                if (m.reason() != null) {
                    n.put("reason", m.reason());
                }
                note("match", n);
            }

            @Override
            public void onSynced(Map<String, Long> lastSeqs) {
                ObjectNode n = JSON.createObjectNode();
                n.set("conversations", JSON.valueToTree(lastSeqs));
                note("synced", n);
            }

            @Override
            public void onStateChanged(ConnectionState state) {
                note("state", JSON.createObjectNode().put("state", state.name().toLowerCase(Locale.ROOT)));
            }

            @Override
            public void onMessageStateChanged(OutgoingMessage m) {
                ObjectNode n = JSON.createObjectNode().put("clientMsgId", m.clientMsgId());
                if (m.state() == MessageState.SENT) {
                    note("message", n.put("state", "sent").put("seq", m.ack().seq()));
                } else if (m.state() == MessageState.FAILED) {
                    note("message", n.put("state", "failed").put("errorCode", m.errorCode()));
                } else if (m.state() == MessageState.UNCONFIRMED) {
                    note("message", n.put("state", "unconfirmed"));
                } else if (m.state() == MessageState.HELD) {
                    note("message", n.put("state", "held"));
                } else if (m.state() == MessageState.REJECTED) {
                    note("message", n.put("state", "rejected"));
                }
            }

            @Override
            public void onError(ServerFrame.Error error) {
                ObjectNode n = JSON.createObjectNode().put("code", error.code());
                if (error.ref() != null) {
                    n.put("ref", error.ref());
                }
                note("error", n);
            }

            @Override
            public void onAuthFailed(String reason) {
                note("authfailed", JSON.createObjectNode());
            }

            @Override
            public void onClosed(int code, String reason) {
                note("closed", JSON.createObjectNode().put("code", code));
            }
        }

        // ---- checks ------------------------------------------------------------------------------------------------

        private void check(JsonNode c) {
            ObjectNode actual = JSON.createObjectNode();
            if (c.has("state")) {
                actual.put("state", client.state().name().toLowerCase(Locale.ROOT));
            }
            if (c.has("cursors")) {
                actual.set("cursors", JSON.valueToTree(client.cursors()));
            }
            if (c.has("pending")) {
                ArrayNode a = actual.putArray("pending");
                client.pending().forEach(m -> a.add(m.clientMsgId()));
            }
            if (c.has("messages")) {
                ObjectNode o = actual.putObject("messages");
                c.get("messages").fieldNames().forEachRemaining(name -> {
                    OutgoingMessage m = message(name);
                    o.put(
                            name,
                            switch (m.state()) {
                                case PENDING -> "pending";
                                case SENT -> "sent";
                                case FAILED -> "failed:" + m.errorCode();
                                case UNCONFIRMED -> "unconfirmed";
                                case HELD -> "held";
                                case REJECTED -> "rejected";
                            });
                });
            }
            if (c.has("requests")) {
                ObjectNode o = actual.putObject("requests");
                c.get("requests").fieldNames().forEachRemaining(name -> {
                    CompletableFuture<?> f = requests.get(name);
                    if (f == null) {
                        fail("no request made as '" + name + "'");
                    }
                    o.put(name, outcome(f));
                });
            }
            String diff = match(c, actual, "");
            if (diff != null) {
                fail("check " + c + " but the client has " + actual + " (" + diff + ")");
            }
        }

        private static String outcome(CompletableFuture<?> f) {
            if (!f.isDone()) {
                return "pending";
            }
            try {
                f.join();
                return "ok";
            } catch (CompletionException e) {
                return e.getCause() instanceof ParleyException p ? p.code() : String.valueOf(e.getCause());
            }
        }

        // ---- JSON with $variables and "*" --------------------------------------------------------------------------

        /** Null when {@code actual} matches; else where it differs. Binds unbound {@code "$name"} on the way. */
        private String match(JsonNode expected, JsonNode actual, String path) {
            if (expected.isTextual() && expected.asText().equals("*")) {
                return actual == null || actual.isMissingNode() ? path + " is absent" : null;
            }
            if (expected.isTextual() && expected.asText().startsWith("$")) {
                String name = expected.asText().substring(1);
                if (actual == null || actual.isNull()) {
                    return path + " is absent";
                }
                JsonNode bound = vars.get(name);
                if (bound == null) {
                    vars.put(name, actual);
                    return null;
                }
                return match(bound, actual, path);
            }
            if (actual == null) {
                return path + " is absent";
            }
            if (expected.isNumber() && actual.isNumber()) {
                return expected.decimalValue().compareTo(actual.decimalValue()) == 0 ? null : path + " differs";
            }
            if (expected.isObject() && actual.isObject()) {
                Set<String> keys = new HashSet<>();
                expected.fieldNames().forEachRemaining(keys::add);
                for (Iterator<String> it = actual.fieldNames(); it.hasNext(); ) {
                    String k = it.next();
                    if (!keys.contains(k)) {
                        return path + "." + k + " is not expected";
                    }
                }
                for (String k : keys) {
                    String d = match(expected.get(k), actual.get(k), path + "." + k);
                    if (d != null) {
                        return d;
                    }
                }
                return null;
            }
            if (expected.isArray() && actual.isArray()) {
                if (expected.size() != actual.size()) {
                    return path + " has " + actual.size() + " items, not " + expected.size();
                }
                for (int i = 0; i < expected.size(); i++) {
                    String d = match(expected.get(i), actual.get(i), path + "[" + i + "]");
                    if (d != null) {
                        return d;
                    }
                }
                return null;
            }
            return expected.equals(actual) ? null : path + " differs";
        }

        /** A copy with every {@code "$name"} replaced by its bound value. */
        private JsonNode substitute(JsonNode n) {
            if (n == null) {
                return null;
            }
            if (n.isTextual() && n.asText().startsWith("$")) {
                JsonNode v = vars.get(n.asText().substring(1));
                if (v == null) {
                    fail(n.asText() + " is not bound yet");
                }
                return v;
            }
            if (n.isObject()) {
                ObjectNode o = JSON.createObjectNode();
                n.fields().forEachRemaining(e -> o.set(e.getKey(), substitute(e.getValue())));
                return o;
            }
            if (n.isArray()) {
                ArrayNode a = JSON.createArrayNode();
                n.forEach(x -> a.add(substitute(x)));
                return a;
            }
            return n;
        }

        private void fail(String why) {
            throw new AssertionError(exchange.path("name").asText("?") + ", " + where + ": " + why);
        }
    }

    /** Full jitter pinned to one end of the window, so delays are the same in every client: "max" or "min". */
    private static final class FixedJitter implements RandomGenerator {
        private final boolean max;

        FixedJitter(boolean max) {
            this.max = max;
        }

        @Override
        public long nextLong() {
            throw new UnsupportedOperationException("only bounded draws are expected");
        }

        @Override
        public long nextLong(long bound) {
            return max ? bound - 1 : 0;
        }
    }
}
