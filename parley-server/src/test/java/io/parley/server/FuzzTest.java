package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.protocol.CloseCodes;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.FrameCodec;
import io.parley.protocol.ProtocolException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzing with a seeded mutator of valid inputs ({@link FrameMutator}): the frame decoder alone, whole WebSocket
 * sessions against a real node, and every REST endpoint of the OpenAPI document with mutated bodies, path segments and
 * query strings. The oracle: nothing but a documented error (an {@code error} frame or the JSON error body with an
 * {@link ErrorCode}, at its HTTP status) or a documented close code; no 5xx and no {@code internal}/{@code
 * unavailable}; every WebSocket frame answered, the connection open afterwards unless the close code says otherwise
 * (1009 for a frame over the limit); no stack trace at WARN or above in the server's log.
 * <p>
 * The default test command runs a short pass (seconds). The long run (docs/operations.md, "Fuzzing"):
 * {@code mvn -o test -pl parley-server -am -Dtest=FuzzTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dparley.fuzz.frames=100000 -Dparley.fuzz.requests=100000 -Dparley.fuzz.decoder=1000000}; {@code -Dparley.fuzz.seed}
 * replays a run. Each test prints its figures.
 */
class FuzzTest {
    static final long SEED = Long.getLong("parley.fuzz.seed", 18L);
    static final int FRAMES = Integer.getInteger("parley.fuzz.frames", 3_000);
    static final int REQUESTS = Integer.getInteger("parley.fuzz.requests", 2_000);
    static final int DECODER = Integer.getInteger("parley.fuzz.decoder", 30_000);
    /** Frames per WebSocket user before the next user (and fresh conversations): keeps replays of a sync short. */
    static final int FRAMES_PER_USER = 2_000;

    static final Set<String> CODES =
            Arrays.stream(ErrorCode.values()).map(ErrorCode::wire).collect(Collectors.toSet());
    static final Set<String> SERVER_TYPES =
            Set.of("welcome", "ack", "event", "synced", "ok", "receipts", "typing", "presence", "error", "pong");

    @TempDir
    static Path dir;

    static TestServer server;
    static ServerLogCapture log;
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        log = ServerLogCapture.install();
        server = new TestServer(dir).start();
    }

    @AfterAll
    static void stop() {
        server.stop();
        log.close();
    }

    /** One user's world: a group with a second user, a DM, a conversation of two others, a message in each. */
    record World(String user, String token, List<String> ids, String group, String message) {}

    static World world(String user) {
        String token = TestServer.token(user);
        String friend = user + "_f";
        String stranger1 = user + "_s1";
        String stranger2 = user + "_s2";
        for (String u : List.of(friend, stranger1, stranger2)) {
            new Rest(server.httpUrl(), TestServer.token(u)).get("/api/v1/me");
        }
        Rest rest = new Rest(server.httpUrl(), token);
        rest.get("/api/v1/me");
        String group = rest.group("fuzz " + user, friend);
        String dm = rest.direct(friend);
        String message = rest.post(
                        "/api/v1/conversations/" + group + "/messages",
                        new JsonObject().put("clientMsgId", "seed-" + user).put("body", "seed"))
                .json()
                .getString("messageId");
        Rest other = new Rest(server.httpUrl(), TestServer.token(stranger1));
        String foreign = other.group("not yours", stranger2);
        String foreignMessage = other.post(
                        "/api/v1/conversations/" + foreign + "/messages",
                        new JsonObject().put("clientMsgId", "seed-f").put("body", "theirs"))
                .json()
                .getString("messageId");
        return new World(
                user,
                token,
                List.of(group, dm, message, foreign, foreignMessage, friend, stranger1, user, "c_0", "m_0"),
                group,
                message);
    }

    static List<String> corpus(World w) {
        String c = w.group();
        String m = w.message();
        return List.of(
                new JsonObject().put("type", "auth").put("token", w.token()).encode(),
                new JsonObject()
                        .put("type", "sync")
                        .put("cursors", new JsonObject().put(c, 1_000_000))
                        .put("unlisted", "skip")
                        .encode(),
                new JsonObject()
                        .put("type", "send")
                        .put("conversationId", c)
                        .put("clientMsgId", "m1")
                        .put("body", "hello")
                        .put("replyTo", m)
                        .encode(),
                new JsonObject()
                        .put("type", "edit")
                        .put("conversationId", c)
                        .put("messageId", m)
                        .put("body", "edited")
                        .put("ref", "e1")
                        .encode(),
                new JsonObject()
                        .put("type", "delete")
                        .put("conversationId", c)
                        .put("messageId", m)
                        .put("ref", "d1")
                        .encode(),
                new JsonObject()
                        .put("type", "react")
                        .put("conversationId", c)
                        .put("messageId", m)
                        .put("emoji", "\ud83d\udc4d")
                        .put("ref", "r1")
                        .encode(),
                new JsonObject()
                        .put("type", "unreact")
                        .put("conversationId", c)
                        .put("messageId", m)
                        .put("emoji", "\ud83d\udc4d")
                        .encode(),
                new JsonObject()
                        .put("type", "delivered")
                        .put("conversationId", c)
                        .put("seq", 2)
                        .encode(),
                new JsonObject()
                        .put("type", "read")
                        .put("conversationId", c)
                        .put("seq", 2)
                        .encode(),
                new JsonObject()
                        .put("type", "typing")
                        .put("conversationId", c)
                        .put("active", true)
                        .encode(),
                new JsonObject()
                        .put("type", "presence_query")
                        .put("userIds", new JsonArray().add(w.user()).add("nobody"))
                        .put("ref", "q1")
                        .encode(),
                new JsonObject().put("type", "ping").put("id", "p").encode());
    }

    /** The JDK can only send valid UTF-16: a mutation that split a surrogate pair is sent as UTF-8 would carry it. */
    static String sendable(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }

    // ---- the decoder ------------------------------------------------------------------------------------------

    @Test
    void decoder_answersEveryMutatedFrame_withAFrameOrADocumentedCode() {
        FrameCodec codec = new FrameCodec();
        World w = new World("u", "t", List.of("c_1", "m_1", "u_1"), "c_1", "m_1");
        FrameMutator mutator = new FrameMutator(SEED, w.ids());
        List<String> corpus = corpus(w);
        List<String> crashes = new ArrayList<>();
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int i = 0; i < DECODER; i++) {
            String input = mutator.mutate(mutator.pick(corpus));
            try {
                outcomes.merge(codec.decodeClient(input).getClass().getSimpleName(), 1, Integer::sum);
            } catch (ProtocolException e) {
                outcomes.merge(e.code().wire(), 1, Integer::sum);
            } catch (RuntimeException | StackOverflowError e) {
                if (crashes.size() < 10) {
                    crashes.add(i + ": " + e + " <- " + clip(input));
                }
            }
        }
        System.out.println("fuzz decoder: " + DECODER + " inputs (seed " + SEED + "): " + outcomes);
        assertThat(crashes).as("inputs the decoder threw on").isEmpty();
    }

    // ---- WebSocket sessions -----------------------------------------------------------------------------------

    /** A JDK WebSocket whose text messages and close land in a queue ("close <code> <reason>" last). */
    static final class Socket implements WebSocket.Listener {
        final BlockingQueue<String> in = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();
        WebSocket ws;

        static Socket open(String token) throws Exception {
            return openUrl(server.wsUrl() + "?token=" + token);
        }

        static Socket openUrl(String url) throws Exception {
            Socket s = new Socket();
            s.ws = HTTP.newWebSocketBuilder().buildAsync(URI.create(url), s).get(10, TimeUnit.SECONDS);
            return s;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                in.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            in.add("close " + statusCode + " " + reason);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            in.add("close 1006 " + error);
        }
    }

    @Test
    void sessions_answerEveryMutatedFrame_andStayOpen() throws Exception {
        int maxFrameBytes = server.server().config().limits().maxFrameBytes();
        List<String> findings = new ArrayList<>();
        Map<String, Integer> answers = new TreeMap<>();
        int users = 0;
        World w = null;
        Socket s = null;
        FrameMutator mutator = null;
        List<String> corpus = null;
        long started = System.nanoTime();
        for (int i = 0; i < FRAMES && findings.size() < 10; i++) {
            if (i % FRAMES_PER_USER == 0) {
                if (s != null) {
                    s.ws.abort();
                }
                w = world("fz" + users++);
                mutator = new FrameMutator(SEED + i, w.ids());
                corpus = corpus(w);
                s = Socket.open(w.token());
                expectWelcome(s, findings);
            }
            String frame = sendable(mutator.mutate(mutator.pick(corpus)));
            boolean tooBig = frame.getBytes(StandardCharsets.UTF_8).length > maxFrameBytes;
            s.ws.sendText(frame, true).get(10, TimeUnit.SECONDS);
            String pingId = "fz-" + i;
            if (!tooBig) {
                s.ws.sendText("{\"type\":\"ping\",\"id\":\"" + pingId + "\"}", true)
                        .get(10, TimeUnit.SECONDS);
            }
            String closed = null;
            while (true) {
                String got = s.in.poll(10, TimeUnit.SECONDS);
                if (got == null) {
                    findings.add(i + ": no answer within 10 s to " + clip(frame));
                    break;
                }
                if (got.startsWith("close ")) {
                    closed = got;
                    break;
                }
                JsonObject f = new JsonObject(got);
                String type = f.getString("type");
                if (!SERVER_TYPES.contains(type)) {
                    findings.add(i + ": undocumented frame " + clip(got));
                }
                if ("error".equals(type)) {
                    String code = f.getString("code");
                    answers.merge("error " + code, 1, Integer::sum);
                    if (!CODES.contains(code)
                            || code.equals(ErrorCode.INTERNAL.wire())
                            || code.equals(ErrorCode.UNAVAILABLE.wire())) {
                        findings.add(i + ": error " + code + " for " + clip(frame));
                    }
                } else if (!"pong".equals(type)) {
                    answers.merge(type, 1, Integer::sum);
                }
                if ("pong".equals(type) && pingId.equals(f.getString("id"))) {
                    break;
                }
            }
            if (closed != null) {
                int code = Integer.parseInt(closed.split(" ")[1]);
                answers.merge("close " + code, 1, Integer::sum);
                if (!(tooBig && code == CloseCodes.TOO_BIG)) {
                    findings.add(i + ": " + closed + " after " + clip(frame));
                }
                s = Socket.open(w.token());
                expectWelcome(s, findings);
            }
        }
        if (s != null) {
            s.ws.abort();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf(
                "fuzz sessions: %d frames (seed %d) over %d users in %.1f s, %d stack traces, %d WARN lines: %s%n",
                FRAMES,
                SEED,
                users,
                seconds,
                log.stackTraces().size(),
                log.warnings().size(),
                answers);
        System.out.println("fuzz sessions: server WARN lines: " + new java.util.TreeSet<>(log.warnings()));
        assertThat(findings).as("frames answered outside the protocol").isEmpty();
        assertThat(log.stackTraces())
                .as("stack traces at WARN or above in the server log")
                .isEmpty();
    }

    private static void expectWelcome(Socket s, List<String> findings) throws InterruptedException {
        String first = s.in.poll(10, TimeUnit.SECONDS);
        if (first == null || !first.contains("\"welcome\"")) {
            findings.add("no welcome: " + first);
        }
    }

    // ---- REST -------------------------------------------------------------------------------------------------

    @Test
    void rest_answersEveryMutatedRequest_withADocumentedError() throws Exception {
        World w = world("rz");
        FrameMutator mutator = new FrameMutator(SEED, w.ids());
        List<OpenApiEndpoints.Endpoint> endpoints = OpenApiEndpoints.all();
        List<String> findings = new ArrayList<>();
        Map<String, Integer> statuses = new TreeMap<>();
        long started = System.nanoTime();
        // Logout everywhere (DELETE /api/v1/sessions) refuses every token issued before it: the fuzzer takes a new
        // one when its token is refused so, or the rest of the run would test only the 401 path.
        String token = w.token();
        int renewed = 0;
        for (int i = 0; i < REQUESTS && findings.size() < 10; i++) {
            OpenApiEndpoints.Endpoint e = mutator.pick(endpoints);
            String path = e.path();
            for (String p : e.pathParams()) {
                String value = mutator.nextInt(3) == 0 ? mutator.string() : mutator.pick(w.ids());
                path = path.replace("{" + p + "}", URLEncoder.encode(value, StandardCharsets.UTF_8));
            }
            StringBuilder query = new StringBuilder();
            for (String q : e.queryParams()) {
                if (mutator.nextInt(2) == 0) {
                    query.append(query.length() == 0 ? '?' : '&')
                            .append(q)
                            .append('=')
                            .append(URLEncoder.encode(queryValue(mutator), StandardCharsets.UTF_8));
                }
            }
            if (mutator.nextInt(8) == 0) {
                query.append(query.length() == 0 ? '?' : '&').append(mutator.mutateChars("x=%zz&limit=1"));
            }
            Map<String, String> headers = new java.util.LinkedHashMap<>();
            if (mutator.nextInt(10) != 0) {
                headers.put("Authorization", "Bearer " + token);
            }
            String body = null;
            if (e.hasBody() && mutator.nextInt(10) != 0) {
                body = sendable(
                        mutator.mutate(OpenApiEndpoints.example(e, w.ids()).encode()));
                headers.put("Content-Type", mutator.nextInt(12) == 0 ? "text/plain" : "application/json");
            }
            Answer r;
            try {
                r = raw(server.port(), e.method(), path + query, headers, body);
            } catch (java.io.IOException io) {
                if ((path + query).length() > 4096) {
                    // The node answers an over-long request line with 414 at once and closes (docs/api.md); a client
                    // still writing the rest of a 100 KB line may see a broken pipe instead of reading that answer.
                    statuses.merge(e.method() + " reset while sending a request line over 4096 bytes", 1, Integer::sum);
                    continue;
                }
                findings.add(i + ": " + e.method() + " " + clip(path + query) + " body " + clip(String.valueOf(body))
                        + " -> no answer: " + io);
                continue;
            }
            statuses.merge(e.method() + " " + r.status(), 1, Integer::sum);
            if (r.status() == 401
                    && headers.containsKey("Authorization")
                    && r.body().contains("\"session_revoked\"")) {
                // A logout everywhere went through (DELETE /api/v1/sessions, with or without a trailing slash).
                token = TestServer.token(w.user());
                renewed++;
            }
            String problem = check(r);
            if (problem != null) {
                findings.add(i + ": " + e.method() + " " + clip(path + query) + " body " + clip(String.valueOf(body))
                        + " -> " + r.status() + " " + problem + ": " + clip(r.body()));
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf(
                "fuzz rest: %d requests (seed %d) over %d endpoints in %.1f s, %d stack traces, token renewed %d times"
                        + " after a logout everywhere: %s%n",
                REQUESTS, SEED, endpoints.size(), seconds, log.stackTraces().size(), renewed, statuses);
        System.out.println("fuzz rest: server WARN lines: " + new java.util.TreeSet<>(log.warnings()));
        assertThat(findings).as("requests answered outside docs/api.md").isEmpty();
        assertThat(log.stackTraces())
                .as("stack traces at WARN or above in the server log")
                .isEmpty();
    }

    private static String queryValue(FrameMutator m) {
        return switch (m.nextInt(6)) {
            case 0 -> Integer.toString(m.nextInt(300) - 50);
            case 1 -> "9223372036854775808";
            case 2 -> "-0";
            case 3 -> "1e3";
            default -> m.string();
        };
    }

    record Answer(int status, String body) {}

    /**
     * One HTTP/1.1 request on a socket of its own, the target sent as it is (a malformed escape too, which
     * java.net.http refuses to send), the answer read to the end (Connection: close).
     */
    static Answer raw(int port, String method, String target, Map<String, String> headers, String body)
            throws java.io.IOException {
        byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder()
                .append(method)
                .append(' ')
                .append(target.replace(" ", "%20"))
                .append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:")
                .append(port)
                .append("\r\n")
                .append("Connection: close\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        if (body != null || !method.equals("GET")) {
            head.append("Content-Length: ").append(payload.length).append("\r\n");
        }
        head.append("\r\n");
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(head.toString().getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().write(payload);
            s.getOutputStream().flush();
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int lineEnd = all.indexOf("\r\n");
            int bodyAt = all.indexOf("\r\n\r\n");
            if (lineEnd < 0 || bodyAt < 0) {
                throw new java.io.IOException("no HTTP answer: " + clip(all));
            }
            int status = Integer.parseInt(all.substring(0, lineEnd).split(" ")[1]);
            String text = all.substring(bodyAt + 4);
            if (all.substring(0, bodyAt).toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
                StringBuilder plain = new StringBuilder();
                int at = 0;
                while (true) {
                    int eol = text.indexOf("\r\n", at);
                    int size = Integer.parseInt(text.substring(at, eol).trim(), 16);
                    if (size == 0) {
                        break;
                    }
                    plain.append(text, eol + 2, eol + 2 + size);
                    at = eol + 2 + size + 2;
                }
                text = plain.toString();
            }
            return new Answer(status, text);
        }
    }

    /** Null when the answer is one docs/api.md allows: below 500, an error in the one JSON shape at its status. */
    private static String check(Answer r) {
        int status = r.status();
        if (status >= 500) {
            return "5xx";
        }
        if (status < 400) {
            return null;
        }
        JsonObject json;
        try {
            json = new JsonObject(r.body());
        } catch (RuntimeException e) {
            return "an error without the JSON error body";
        }
        JsonObject error = json.getJsonObject("error");
        String code = error == null ? null : error.getString("code");
        if (code == null || !CODES.contains(code)) {
            return "an undocumented error code " + code;
        }
        // 414 and 431 belong to HTTP (a request line or headers over what the server reads): bad_request.
        boolean httpOwn = (status == 414 || status == 431) && code.equals(ErrorCode.BAD_REQUEST.wire());
        if (!httpOwn
                && Arrays.stream(ErrorCode.values())
                        .noneMatch(c -> c.wire().equals(code) && c.httpStatus() == status)) {
            return "error " + code + " at the wrong status";
        }
        return null;
    }

    static String clip(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "...(" + s.length() + " chars)";
    }
}
