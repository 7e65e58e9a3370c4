package io.parley.server.api;

import static io.parley.server.api.Http.guard;
import static io.parley.server.api.Http.respond;
import static io.parley.server.api.Http.user;

import io.parley.protocol.ErrorCode;
import io.parley.protocol.FrameCodec;
import io.parley.server.chat.MessageSearch;
import io.parley.server.config.Config;
import io.parley.server.search.SearchIndex;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** {@code GET /api/v1/search}: message search across the caller's conversations (docs/api.md, "Search"). */
public final class SearchApi {
    /** The longest cursor a client can have been given. */
    private static final int MAX_CURSOR_CHARS = 512;

    private final MessageSearch search;
    private final Config config;

    public SearchApi(MessageSearch search, Config config) {
        this.search = search;
        this.config = config;
    }

    public void mount(Router router) {
        router.get("/api/v1/search").handler(ctx -> search(ctx, ctx.request()::getParam));
        // The same search with its parameters in a JSON body: a long query does not fit in a request line.
        router.post("/api/v1/search")
                .handler(ctx -> guard(ctx, () -> {
                    JsonObject body = Http.body(ctx);
                    search(ctx, name -> {
                        Object v = body.getValue(name);
                        if (v == null || v instanceof String) {
                            return (String) v;
                        }
                        if (v instanceof Number n && name.equals("limit")) {
                            return Long.toString(n.longValue());
                        }
                        throw new Http.BadRequest(ErrorCode.INVALID_FIELD, "field '" + name + "' must be a string");
                    });
                }));
    }

    private void search(RoutingContext ctx, java.util.function.Function<String, String> params) {
        guard(ctx, () -> {
            String q = params.apply("q");
            if (q == null) {
                throw new Http.BadRequest(ErrorCode.MISSING_FIELD, "missing query parameter 'q'");
            }
            String sortParam = params.apply("sort");
            SearchIndex.Sort sort;
            if (sortParam == null || sortParam.equals("relevance")) {
                sort = SearchIndex.Sort.RELEVANCE;
            } else if (sortParam.equals("newest")) {
                sort = SearchIndex.Sort.NEWEST;
            } else {
                throw new Http.BadRequest(ErrorCode.INVALID_FIELD, "'sort' must be 'relevance' or 'newest'");
            }
            String cursor = params.apply("cursor");
            if (cursor != null && cursor.length() > MAX_CURSOR_CHARS) {
                throw new Http.BadRequest(ErrorCode.INVALID_FIELD, "'cursor' is not a cursor of this search");
            }
            Long limitParam = limit(params.apply("limit"));
            int limit = limitParam == null
                    ? config.limits().defaultPageSize()
                    : (int) Math.max(1, Math.min(limitParam, config.limits().maxPageSize()));
            MessageSearch.Query query = new MessageSearch.Query(
                    q,
                    id(params, "conversation"),
                    id(params, "from"),
                    time(params, "after"),
                    time(params, "before"),
                    sort,
                    cursor,
                    limit);
            respond(ctx, search.search(user(ctx), query), page -> Http.json(ctx, 200, json(page, limit)));
        });
    }

    private static Long limit(String v) {
        if (v == null) {
            return null;
        }
        try {
            long n = Long.parseLong(v);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the error below
        }
        throw new Http.BadRequest(ErrorCode.INVALID_FIELD, "'limit' must be a non-negative integer");
    }

    private static String id(java.util.function.Function<String, String> params, String name) {
        String v = params.apply(name);
        if (v != null && (v.isEmpty() || v.length() > FrameCodec.MAX_ID_LENGTH)) {
            throw new Http.BadRequest(
                    ErrorCode.INVALID_FIELD,
                    "'" + name + "' must be an id of 1 to " + FrameCodec.MAX_ID_LENGTH + " characters");
        }
        return v;
    }

    /** An ISO-8601 instant ({@code 2026-12-01T10:00:00Z}), a UTC date ({@code 2026-12-01}) or epoch milliseconds. */
    static Long time(java.util.function.Function<String, String> params, String name) {
        String v = params.apply(name);
        if (v == null) {
            return null;
        }
        try {
            if (!v.isEmpty() && v.chars().allMatch(Character::isDigit) && v.length() <= 15) {
                return Long.parseLong(v);
            }
            if (v.length() == 10) {
                return LocalDate.parse(v)
                        .atStartOfDay(ZoneOffset.UTC)
                        .toInstant()
                        .toEpochMilli();
            }
            return Instant.parse(v).toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new Http.BadRequest(
                    ErrorCode.INVALID_FIELD,
                    "'" + name + "' must be an ISO-8601 instant, a date (YYYY-MM-DD, UTC) or epoch milliseconds");
        }
    }

    private static JsonObject json(MessageSearch.Page page, int limit) {
        JsonArray results = new JsonArray();
        for (MessageSearch.Result r : page.results()) {
            SearchIndex.Hit h = r.hit();
            JsonArray highlights = new JsonArray();
            for (int[] range : r.snippet().ranges()) {
                highlights.add(new JsonArray().add(range[0]).add(range[1]));
            }
            JsonObject o = new JsonObject()
                    .put("conversationId", h.conversationId())
                    .put("seq", h.seq())
                    .put("messageId", h.messageId())
                    .put("senderId", h.senderId())
                    .put("createdAt", h.createdAt());
            if (h.editedAt() != null) {
                o.put("editedAt", h.editedAt());
            }
            o.put("snippet", r.snippet().text()).put("highlights", highlights);
            results.add(o);
        }
        JsonObject out = new JsonObject().put("results", results).put("limit", limit);
        if (page.nextCursor() != null) {
            out.put("nextCursor", page.nextCursor());
        }
        return out;
    }
}
