package io.parley.server.chat;

import io.parley.protocol.ErrorCode;
import io.parley.server.search.SearchIndex;
import io.parley.server.search.SearchQuery;
import io.parley.server.search.Snippets;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The search door of the domain: parses the query (bad input gets its documented code, never a store error),
 * checks a conversation filter against membership (conversation_not_found, as everywhere), runs the search on the
 * index, and pages with an opaque cursor. Scope (only conversations the user is a member of now, all of their
 * history, as the history API shows it; no deleted message; edited messages by their new text) is the index's
 * contract ({@link SearchIndex}).
 */
public final class MessageSearch {
    /** Relevance pages reach this many hits deep; the date order has no limit. */
    public static final int MAX_RELEVANCE_OFFSET = 1_000;

    private final ChatService chat;
    private final SearchIndex index;

    public MessageSearch(ChatService chat, SearchIndex index) {
        this.chat = chat;
        this.index = index;
    }

    /** What a client asks: null filters do not filter. */
    public record Query(
            String q,
            String conversationId,
            String senderId,
            Long afterMillis,
            Long beforeMillis,
            SearchIndex.Sort sort,
            String cursor,
            int limit) {}

    public record Result(SearchIndex.Hit hit, Snippets.Snippet snippet) {}

    /** One page; {@code nextCursor} null when there is nothing after it. */
    public record Page(List<Result> results, String nextCursor) {}

    public CompletableFuture<Page> search(String userId, Query query) {
        SearchQuery parsed;
        SearchIndex.After after;
        try {
            parsed = SearchQuery.parse(query.q());
            after = decode(query.cursor(), query.sort());
        } catch (SearchQuery.Invalid e) {
            return CompletableFuture.failedFuture(new ChatException(e.code(), e.getMessage()));
        } catch (ChatException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (query.afterMillis() != null
                && query.beforeMillis() != null
                && query.afterMillis() >= query.beforeMillis()) {
            return CompletableFuture.completedFuture(new Page(List.of(), null));
        }
        int limit = query.limit();
        SearchIndex.Request request = new SearchIndex.Request(
                userId,
                parsed,
                query.conversationId(),
                query.senderId(),
                query.afterMillis(),
                query.beforeMillis(),
                query.sort(),
                after,
                limit + 1);
        CompletableFuture<?> allowed = query.conversationId() == null
                ? CompletableFuture.completedFuture(null)
                : chat.requireMember(query.conversationId(), userId);
        SearchIndex.After start = after;
        return allowed.thenCompose(ok -> index.search(request))
                .thenApply(hits -> page(hits, parsed, query.sort(), start, limit))
                .exceptionallyCompose(ChatService::mapFailure);
    }

    private static Page page(
            List<SearchIndex.Hit> hits, SearchQuery q, SearchIndex.Sort sort, SearchIndex.After after, int limit) {
        boolean more = hits.size() > limit;
        List<SearchIndex.Hit> shown = more ? hits.subList(0, limit) : hits;
        List<Result> results = new ArrayList<>(shown.size());
        for (SearchIndex.Hit h : shown) {
            results.add(new Result(h, Snippets.of(h.body(), q)));
        }
        String next = null;
        if (more) {
            if (sort == SearchIndex.Sort.NEWEST) {
                SearchIndex.Hit last = shown.get(shown.size() - 1);
                next = encode("n:" + last.createdAt() + ":" + last.seq() + ":" + last.conversationId());
            } else if (after.offset() + limit < MAX_RELEVANCE_OFFSET) {
                next = encode("r:" + (after.offset() + limit));
            }
        }
        return new Page(results, next);
    }

    private static String encode(String cursor) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(cursor.getBytes(StandardCharsets.UTF_8));
    }

    private static SearchIndex.After decode(String cursor, SearchIndex.Sort sort) {
        if (cursor == null) {
            return SearchIndex.After.START;
        }
        try {
            String c = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (sort == SearchIndex.Sort.RELEVANCE && c.startsWith("r:")) {
                int offset = Integer.parseInt(c.substring(2));
                if (offset >= 0 && offset <= MAX_RELEVANCE_OFFSET) {
                    return new SearchIndex.After(offset, Long.MAX_VALUE, null, Long.MAX_VALUE);
                }
            } else if (sort == SearchIndex.Sort.NEWEST && c.startsWith("n:")) {
                String[] p = c.split(":", 4);
                if (p.length == 4 && !p[3].isEmpty()) {
                    return new SearchIndex.After(0, Long.parseLong(p[1]), p[3], Long.parseLong(p[2]));
                }
            }
        } catch (IllegalArgumentException e) {
            // falls through to the error below (NumberFormatException is one)
        }
        throw new ChatException(
                ErrorCode.INVALID_FIELD, "'cursor' is not a cursor of this search's sort (give back 'nextCursor')");
    }
}
