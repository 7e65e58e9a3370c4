package io.parley.client;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parley.protocol.ServerFrame;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Parley's REST API (docs/api.md), every endpoint as one asynchronous call with a typed result ({@link Rest}) on the
 * JDK's {@link HttpClient}. A refused request completes exceptionally with a {@link ParleyException} carrying the
 * server's error code, the HTTP status and {@link ParleyException#retryable()}; a request that could not be made
 * (no route to the server, connection refused) with code {@code offline}.
 *
 * <p>{@link #register} and {@link #login} need no token, so one instance made with {@link #create(URI)} can sign a
 * user in and {@link #withToken} gives the authenticated one; every other call asks the token supplier for a token
 * when it is made. Futures complete on the HttpClient's threads. Thread-safe and immutable.
 */
public final class ParleyRest {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** Reads events and acks as the plain records they are in REST bodies (no {@code type} required). */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NONE)
    private interface Untyped {}

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .addMixIn(ServerFrame.Event.class, Untyped.class)
            .addMixIn(ServerFrame.Ack.class, Untyped.class);

    private final URI base;
    private final Supplier<String> tokens;
    private final HttpClient http;

    private ParleyRest(URI base, Supplier<String> tokens, HttpClient http) {
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        this.tokens = tokens;
        this.http = http;
    }

    /** Without a token yet: for {@link #register} and {@link #login}. {@code base} is e.g. http://127.0.0.1:8080. */
    public static ParleyRest create(URI base) {
        return create(base, () -> null, defaultHttpClient());
    }

    /** {@code tokens} is asked for a bearer token at every authenticated call (so it may refresh one). */
    public static ParleyRest create(URI base, Supplier<String> tokens) {
        return create(base, tokens, defaultHttpClient());
    }

    public static ParleyRest create(URI base, Supplier<String> tokens, HttpClient http) {
        return new ParleyRest(
                Objects.requireNonNull(base, "base"),
                Objects.requireNonNull(tokens, "tokens"),
                Objects.requireNonNull(http, "http"));
    }

    static HttpClient defaultHttpClient() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** The same server and HttpClient with a fixed token (e.g. the one {@link #login} answered). */
    public ParleyRest withToken(String token) {
        return new ParleyRest(base, () -> token, http);
    }

    public URI baseUri() {
        return base;
    }

    // ---- accounts --------------------------------------------------------------------------------------------------

    /** Creates an account (201); a taken username is {@code conflict}, registration turned off {@code forbidden}. */
    public CompletableFuture<Rest.Auth> register(String username, String password) {
        return call("POST", "/auth/register", credentials(username, password), false, Rest.Auth.class);
    }

    /** Wrong username or password: {@code bad_credentials}. */
    public CompletableFuture<Rest.Auth> login(String username, String password) {
        return call("POST", "/auth/login", credentials(username, password), false, Rest.Auth.class);
    }

    /**
     * Exchanges a refresh token for a new access token and a new refresh token of the same session. Unknown or expired:
     * {@code invalid_refresh_token}; used before, longer ago than the server's {@code auth.refresh-reuse-grace} (30 s):
     * {@code refresh_token_reused} (the session is revoked now; within the grace, after a lost answer, the same call
     * again gets another pair); a revoked
     * session: {@code session_revoked}. See {@link RefreshingTokens} for a token supplier that does this itself.
     */
    public CompletableFuture<Rest.Auth> refresh(String refreshToken) {
        return call("POST", "/auth/refresh", obj().put("refreshToken", refreshToken), false, Rest.Auth.class);
    }

    public CompletableFuture<Rest.User> me() {
        return get("/me", Rest.User.class);
    }

    /** Exact case; {@code user_not_found} when nobody has it. */
    public CompletableFuture<Rest.User> userByUsername(String username) {
        return get("/users/by-username/" + seg(username), Rest.User.class);
    }

    // ---- conversations ---------------------------------------------------------------------------------------------

    /** The direct conversation with the user of this username: created, or the existing one. */
    public CompletableFuture<Rest.Conversation> directWithUsername(String username) {
        return post("/conversations", obj().put("type", "direct").put("username", username), Rest.Conversation.class);
    }

    /** The direct conversation with this user id: created, or the existing one. */
    public CompletableFuture<Rest.Conversation> directWithUser(String userId) {
        return post("/conversations", obj().put("type", "direct").put("userId", userId), Rest.Conversation.class);
    }

    /** A group owned by the caller; {@code memberIds} are user ids (not usernames). */
    public CompletableFuture<Rest.Conversation> createGroup(String title, Collection<String> memberIds) {
        ObjectNode body = obj().put("type", "group").put("title", title);
        memberIds.forEach(body.putArray("members")::add);
        return post("/conversations", body, Rest.Conversation.class);
    }

    /** Every conversation of the caller, most recently active first. */
    public CompletableFuture<List<Rest.Conversation>> conversations() {
        return get("/conversations", "conversations", new TypeReference<List<Rest.Conversation>>() {});
    }

    public CompletableFuture<Rest.Conversation> conversation(String conversationId) {
        return get(conv(conversationId), Rest.Conversation.class);
    }

    public CompletableFuture<List<Rest.Member>> members(String conversationId) {
        return get(conv(conversationId) + "/members", "members", new TypeReference<List<Rest.Member>>() {});
    }

    /** Adds users (ids) to a group; answers one {@code member_added} event per user added. */
    public CompletableFuture<List<ServerFrame.Event>> addMembers(String conversationId, Collection<String> userIds) {
        ObjectNode body = obj();
        userIds.forEach(body.putArray("userIds")::add);
        return call("POST", conv(conversationId) + "/members", body, true, "events", EVENTS);
    }

    /** Removes a member, or leaves when {@code userId} is the caller: the {@code member_removed} event. */
    public CompletableFuture<ServerFrame.Event> removeMember(String conversationId, String userId) {
        return call("DELETE", conv(conversationId) + "/members/" + seg(userId), null, true, "event", EVENT);
    }

    /** {@code role}: "admin" or "member"; owner only. The {@code member_role} event. */
    public CompletableFuture<ServerFrame.Event> setRole(String conversationId, String userId, String role) {
        return call(
                "PUT",
                conv(conversationId) + "/members/" + seg(userId) + "/role",
                obj().put("role", role),
                true,
                "event",
                EVENT);
    }

    /**
     * Renames a group (owner and admins; 1-200 characters): the {@code conversation_renamed} event, which every
     * member's {@link ParleyListener#onEvent} also receives with the new {@code title}.
     */
    public CompletableFuture<ServerFrame.Event> rename(String conversationId, String title) {
        return call("PATCH", conv(conversationId), obj().put("title", title), true, "event", EVENT);
    }

    // ---- messages --------------------------------------------------------------------------------------------------

    /** A page of messages in their current state (see {@link Rest.Paging}). */
    public CompletableFuture<Rest.MessagePage> history(String conversationId, Rest.Paging paging) {
        return get(conv(conversationId) + "/messages" + query(paging), Rest.MessagePage.class);
    }

    /** The page with the message at {@code seq} in its context (opening a search hit); null limit: the default. */
    public CompletableFuture<Rest.AroundPage> around(String conversationId, long seq, Integer limit) {
        return get(
                conv(conversationId) + "/messages?around=" + seq + (limit == null ? "" : "&limit=" + limit),
                Rest.AroundPage.class);
    }

    /**
     * Searches the messages of every conversation the user is a member of (POST /api/v1/search, so a long query
     * fits); fails with {@code query_empty} or {@code query_too_long} for a query that cannot be searched.
     */
    public CompletableFuture<Rest.SearchPage> search(Rest.Search search) {
        ObjectNode b = obj().put("q", search.q());
        putIf(b, "conversation", search.conversation());
        putIf(b, "from", search.from());
        putIf(b, "after", search.after());
        putIf(b, "before", search.before());
        putIf(b, "sort", search.sort());
        putIf(b, "cursor", search.cursor());
        if (search.limit() != null) {
            b.put("limit", search.limit());
        }
        return post("/search", b, Rest.SearchPage.class);
    }

    private static void putIf(ObjectNode b, String field, String value) {
        if (value != null) {
            b.put(field, value);
        }
    }

    /** A page of the raw log (every event kind). */
    public CompletableFuture<Rest.EventPage> events(String conversationId, Rest.Paging paging) {
        return get(conv(conversationId) + "/events" + query(paging), Rest.EventPage.class);
    }

    /** Sends over REST with a fresh clientMsgId. */
    public CompletableFuture<ServerFrame.Ack> send(String conversationId, String body) {
        return send(conversationId, UUID.randomUUID().toString(), body, null);
    }

    /**
     * Sends over REST; the ack once stored. Repeating it with the same clientMsgId (after {@code unavailable} or no
     * answer) stores nothing new and answers the original ack with {@code duplicate} true.
     */
    public CompletableFuture<ServerFrame.Ack> send(
            String conversationId, String clientMsgId, String body, String replyTo) {
        ObjectNode b = obj().put("clientMsgId", clientMsgId).put("body", body);
        if (replyTo != null) {
            b.put("replyTo", replyTo);
        }
        return post(conv(conversationId) + "/messages", b, ServerFrame.Ack.class);
    }

    public CompletableFuture<Rest.Message> message(String conversationId, String messageId) {
        return get(msg(conversationId, messageId), Rest.Message.class);
    }

    /** Only the sender, within the edit window ({@code edit_window_closed}). */
    public CompletableFuture<Rest.Change> edit(String conversationId, String messageId, String body) {
        return call("PATCH", msg(conversationId, messageId), obj().put("body", body), true, Rest.Change.class);
    }

    /** The sender, or an owner or admin of a group (recorded in the audit log). */
    public CompletableFuture<Rest.Change> delete(String conversationId, String messageId) {
        return call("DELETE", msg(conversationId, messageId), null, true, Rest.Change.class);
    }

    public CompletableFuture<Rest.EditHistory> edits(String conversationId, String messageId) {
        return get(msg(conversationId, messageId) + "/edits", Rest.EditHistory.class);
    }

    /** Replies to a message, oldest first; {@code after} (a seq) and {@code limit} may be null. */
    public CompletableFuture<Rest.MessagePage> replies(
            String conversationId, String messageId, Long after, Integer limit) {
        return get(
                msg(conversationId, messageId) + "/replies" + query(new Rest.Paging(null, after, limit)),
                Rest.MessagePage.class);
    }

    /** Adds ({@code add}) or removes the caller's reaction: exactly one emoji. */
    public CompletableFuture<Rest.Change> react(String conversationId, String messageId, String emoji, boolean add) {
        return call(
                add ? "PUT" : "DELETE",
                msg(conversationId, messageId) + "/reactions/" + seg(emoji),
                null,
                true,
                Rest.Change.class);
    }

    public CompletableFuture<Rest.MessageReceipts> receipts(String conversationId, String messageId) {
        return get(msg(conversationId, messageId) + "/receipts", Rest.MessageReceipts.class);
    }

    /** Every member's delivered and read cursors. */
    public CompletableFuture<List<ServerFrame.Receipt>> receipts(String conversationId) {
        return get(conv(conversationId) + "/receipts", "receipts", new TypeReference<List<ServerFrame.Receipt>>() {});
    }

    /** Moves the caller's read cursor forward (never back); answers the read cursor now. */
    public CompletableFuture<Long> markRead(String conversationId, long seq) {
        return call("POST", conv(conversationId) + "/read", obj().put("seq", seq), true, "readSeq", LONG);
    }

    /** Answers whether the server's throttle let the typing signal out. */
    public CompletableFuture<Boolean> typing(String conversationId, boolean active) {
        return call("POST", conv(conversationId) + "/typing", obj().put("active", active), true, "sent", BOOL);
    }

    /** Owners and admins: moderation entries, newest first; {@code before} (an entry id) and limit may be null. */
    public CompletableFuture<Rest.AuditPage> audit(String conversationId, Long before, Integer limit) {
        return get(conv(conversationId) + "/audit" + query(new Rest.Paging(before, null, limit)), Rest.AuditPage.class);
    }

    // ---- presence --------------------------------------------------------------------------------------------------

    /** Oneself or a user sharing a conversation; others are {@code user_not_found}. */
    public CompletableFuture<ServerFrame.PresenceEntry> presence(String userId) {
        return get("/presence/" + seg(userId), ServerFrame.PresenceEntry.class);
    }

    /** At most 500 ids; users the caller may not see are left out. */
    public CompletableFuture<List<ServerFrame.PresenceEntry>> queryPresence(Collection<String> userIds) {
        ObjectNode body = obj();
        userIds.forEach(body.putArray("userIds")::add);
        return call(
                "POST",
                "/presence/query",
                body,
                true,
                "users",
                new TypeReference<List<ServerFrame.PresenceEntry>>() {});
    }

    // ---- plumbing --------------------------------------------------------------------------------------------------

    private static final TypeReference<ServerFrame.Event> EVENT = new TypeReference<>() {};
    private static final TypeReference<List<ServerFrame.Event>> EVENTS = new TypeReference<>() {};
    private static final TypeReference<Long> LONG = new TypeReference<>() {};
    private static final TypeReference<Boolean> BOOL = new TypeReference<>() {};

    private static ObjectNode obj() {
        return JSON.createObjectNode();
    }

    private static ObjectNode credentials(String username, String password) {
        return obj().put("username", username).put("password", password);
    }

    private static String conv(String conversationId) {
        return "/conversations/" + seg(conversationId);
    }

    private static String msg(String conversationId, String messageId) {
        return conv(conversationId) + "/messages/" + seg(messageId);
    }

    /** One path segment, percent-encoded (an emoji too); URLEncoder's '+' for space is not a path's. */
    private static String seg(String s) {
        return URLEncoder.encode(Objects.requireNonNull(s, "path segment"), StandardCharsets.UTF_8)
                .replace("+", "%20");
    }

    private static String query(Rest.Paging p) {
        List<String> q = new ArrayList<>(3);
        if (p.before() != null) {
            q.add("before=" + p.before());
        }
        if (p.after() != null) {
            q.add("after=" + p.after());
        }
        if (p.limit() != null) {
            q.add("limit=" + p.limit());
        }
        return q.isEmpty() ? "" : "?" + String.join("&", q);
    }

    private <T> CompletableFuture<T> get(String path, Class<T> type) {
        return call("GET", path, null, true, type);
    }

    private <T> CompletableFuture<T> get(String path, String field, TypeReference<T> type) {
        return call("GET", path, null, true, field, type);
    }

    private <T> CompletableFuture<T> post(String path, JsonNode body, Class<T> type) {
        return call("POST", path, body, true, type);
    }

    private <T> CompletableFuture<T> call(String method, String path, JsonNode body, boolean auth, Class<T> type) {
        return exchange(method, path, body, auth).thenApply(json -> convert(json, type, method, path));
    }

    /** A call whose answer is {@code {field: value}}: the value. */
    private <T> CompletableFuture<T> call(
            String method, String path, JsonNode body, boolean auth, String field, TypeReference<T> type) {
        return exchange(method, path, body, auth).thenApply(json -> {
            JsonNode value = json.get(field);
            if (value == null) {
                throw unexpected(200, method, path, "no '" + field + "' in " + json);
            }
            try {
                return JSON.convertValue(value, type);
            } catch (IllegalArgumentException e) {
                throw unexpected(200, method, path, e.getMessage());
            }
        });
    }

    private static <T> T convert(JsonNode json, Class<T> type, String method, String path) {
        try {
            return JSON.treeToValue(json, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw unexpected(200, method, path, e.getMessage());
        }
    }

    /** Sends the request; completes with the JSON body of a 2xx answer, or exceptionally with ParleyException. */
    private CompletableFuture<JsonNode> exchange(String method, String path, JsonNode body, boolean auth) {
        HttpRequest request;
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/api/v1" + path))
                    .timeout(REQUEST_TIMEOUT)
                    .header("accept", "application/json");
            if (auth) {
                String token = tokens.get();
                if (token == null) {
                    return CompletableFuture.failedFuture(
                            new ParleyException("unauthorized", "no token: register or log in first", 0));
                }
                b.header("authorization", "Bearer " + token);
            }
            if (body != null) {
                b.header("content-type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            request = b.build();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .handle((response, err) -> {
                    if (err != null) {
                        Throwable cause =
                                err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
                        ParleyException offline =
                                new ParleyException("offline", method + " " + path + ": no answer (" + cause + ")", 0);
                        offline.initCause(cause);
                        throw offline;
                    }
                    return answer(response, method, path);
                });
    }

    private static JsonNode answer(HttpResponse<String> response, String method, String path) {
        int status = response.statusCode();
        JsonNode json;
        try {
            json = JSON.readTree(response.body());
        } catch (IOException e) {
            json = null;
        }
        if (status >= 200 && status < 300) {
            if (json == null || !json.isObject()) {
                throw unexpected(status, method, path, "not a JSON object: " + clip(response.body()));
            }
            return json;
        }
        JsonNode error = json == null ? null : json.get("error");
        if (error != null && error.hasNonNull("code")) {
            throw new ParleyException(
                    error.get("code").asText(), error.path("message").asText(""), status);
        }
        throw unexpected(status, method, path, clip(response.body()));
    }

    private static ParleyException unexpected(int status, String method, String path, String what) {
        return new ParleyException("unexpected_response", method + " " + path + " -> " + status + ": " + what, status);
    }

    private static String clip(String s) {
        return s == null ? "" : s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    @Override
    public String toString() {
        return "ParleyRest{" + base + "}";
    }
}
