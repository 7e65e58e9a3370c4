package io.parley.server.store.jdbc;

import io.parley.server.search.SearchIndex;
import io.parley.server.search.SearchQuery;
import io.parley.server.search.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The search statements of each dialect, and the index's two encodings of {@link Tokenizer}'s tokens: FTS5 text and
 * MATCH expressions (SQLite), tsvector and tsquery literals (PostgreSQL). Tokens are letters, digits and marks only
 * (the tokenizer's guarantee), so quoting them is enough to keep any user input from becoming query syntax; the
 * quotes are escaped all the same.
 */
final class SearchSql {
    /** More conversations than this and SQLite filters by membership after the match instead of inside it. */
    static final int MAX_CONVERSATION_TERMS = 500;

    private static final int MAX_POSITION = 16_383;
    private static final int MAX_POSITIONS_PER_TOKEN = 256;

    private SearchSql() {}

    // ---- the backlog -----------------------------------------------------------------------------------------------

    /**
     * Up to {@code ?} messages of the backlog and their current state: the backlog rows are taken first, then each
     * is looked up in the log by its key. (Joining first and limiting after let PostgreSQL's planner choose a merge
     * join that walked the log from its start on every batch: quadratic in the history, 100% of a core at 1,000,000
     * messages.)
     */
    private static final String PENDING_STATE = "SELECT p.conversation_id, p.seq, e.kind, "
            + "COALESCE(e.edited_body, e.body), e.edited_at, e.deleted_at, e.created_at FROM ";

    static final String SQLITE_PENDING = PENDING_STATE
            + "(SELECT conversation_id, seq FROM search_pending LIMIT ?) p "
            + "LEFT JOIN events e ON e.conversation_id = p.conversation_id AND e.seq = p.seq";
    /**
     * The backlog rows claimed ({@code SKIP LOCKED}: nodes share the backlog), the log probed once per row: {@code
     * OFFSET 0} keeps the planner from flattening the lateral lookup into a join of its choosing.
     */
    static final String POSTGRES_PENDING = "WITH p AS (SELECT conversation_id, seq FROM search_pending LIMIT ? "
            + "FOR UPDATE SKIP LOCKED) "
            + PENDING_STATE
            + "p LEFT JOIN LATERAL (SELECT kind, body, edited_body, edited_at, deleted_at, created_at FROM events x "
            + "WHERE x.conversation_id = p.conversation_id AND x.seq = p.seq OFFSET 0) e ON true";
    /**
     * Takes one message off the backlog unless it changed since it was read: parameters conversation, seq, the
     * edited_at read (0: none) and whether it was deleted then. A message gone from the log is taken off.
     */
    static final String DELETE_PENDING = "DELETE FROM search_pending WHERE conversation_id = ? AND seq = ? "
            + "AND NOT EXISTS (SELECT 1 FROM events e WHERE e.conversation_id = search_pending.conversation_id "
            + "AND e.seq = search_pending.seq AND (COALESCE(e.edited_at, 0) <> ? OR (e.deleted_at IS NOT NULL) <> ?))";

    /**
     * SQLite: up to {@code ?} messages of the log after rowid {@code ?} (the index file's mark), in rowid order: rowids
     * grow in commit order (one above the largest; the log is never deleted from), so nothing committed is skipped.
     */
    static final String SQLITE_NEW = "SELECT conversation_id, seq, kind, COALESCE(edited_body, body), edited_at, "
            + "deleted_at, created_at, rowid FROM events WHERE rowid > ? AND kind = 'message' ORDER BY rowid LIMIT ?";

    static final String BACKLOG = "SELECT COUNT(*) FROM search_pending";
    /** SQLite's backlog: the messages past the mark, and the edits and deletions queued. */
    static final String SQLITE_BACKLOG = "SELECT (SELECT COUNT(*) FROM events WHERE kind = 'message' AND rowid > "
            + "(SELECT mark FROM " + SqliteSearchFile.SCHEMA + ".search_mark)) + (SELECT COUNT(*) FROM search_pending)";

    static final String SQLITE_MESSAGES = "SELECT COUNT(*) FROM events WHERE kind = 'message'";
    static final String QUEUE_ALL = "INSERT INTO search_pending (conversation_id, seq) "
            + "SELECT conversation_id, seq FROM events WHERE kind = 'message' ON CONFLICT DO NOTHING";

    static final String SQLITE_DOC_ID = "SELECT id FROM search_docs WHERE conversation_id = ? AND seq = ?";
    /** Inserts a message's document unless it has one: the new id, or no row. */
    static final String SQLITE_INSERT_DOC = "INSERT INTO search_docs (conversation_id, seq, version) VALUES (?, ?, ?) "
            + "ON CONFLICT (conversation_id, seq) DO NOTHING RETURNING id";

    static final String SQLITE_UPDATE_DOC = "UPDATE search_docs SET version = ? WHERE id = ?";
    static final String SQLITE_DELETE_DOC = "DELETE FROM search_docs WHERE id = ?";
    static final String SQLITE_INSERT_FTS = "INSERT INTO search_fts (rowid, conv, words, chars) VALUES (?, ?, ?, ?)";
    static final String SQLITE_DELETE_FTS = "DELETE FROM search_fts WHERE rowid = ?";

    static final String POSTGRES_UPSERT_DOC = "INSERT INTO search_docs (conversation_id, seq, version, words, chars) "
            + "VALUES (?, ?, ?, ?::tsvector, ?::tsvector) ON CONFLICT (conversation_id, seq) DO UPDATE "
            + "SET version = EXCLUDED.version, words = EXCLUDED.words, chars = EXCLUDED.chars";
    static final String POSTGRES_DELETE_DOC = "DELETE FROM search_docs WHERE conversation_id = ? AND seq = ?";

    static final String MEMBER_CONVERSATIONS = "SELECT conversation_id FROM members WHERE user_id = ?";

    // ---- encodings -------------------------------------------------------------------------------------------------

    /** The conversation as one FTS5 token: its id's UTF-8 bytes in hex behind a 'c'. */
    static String conversationToken(String conversationId) {
        StringBuilder sb = new StringBuilder("c");
        for (byte b : conversationId.getBytes(StandardCharsets.UTF_8)) {
            sb.append(Character.forDigit((b >> 4) & 15, 16)).append(Character.forDigit(b & 15, 16));
        }
        return sb.toString();
    }

    static String ftsText(List<String> tokens) {
        return String.join(" ", tokens);
    }

    static String ftsText(Set<String> tokens) {
        return String.join(" ", tokens);
    }

    /** A tsvector literal with positions (1-based, as PostgreSQL counts them, capped as it caps them). */
    static String tsvector(List<String> tokens) {
        Map<String, List<Integer>> positions = new LinkedHashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            List<Integer> p = positions.computeIfAbsent(tokens.get(i), t -> new ArrayList<>());
            if (p.size() < MAX_POSITIONS_PER_TOKEN) {
                p.add(Math.min(i + 1, MAX_POSITION));
            }
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, List<Integer>> e : positions.entrySet()) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(quote(e.getKey())).append(':');
            List<Integer> p = e.getValue();
            for (int i = 0; i < p.size(); i++) {
                sb.append(i == 0 ? "" : ",").append(p.get(i));
            }
        }
        return sb.toString();
    }

    /** A tsvector literal without positions. */
    static String tsvector(Set<String> tokens) {
        StringBuilder sb = new StringBuilder();
        for (String t : tokens) {
            sb.append(sb.length() == 0 ? "" : " ").append(quote(t));
        }
        return sb.toString();
    }

    private static String quote(String token) {
        return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    /** The tsquery of the terms of {@code stream}, AND-ed; null when the query has none. */
    static String tsquery(SearchQuery query, SearchQuery.Stream stream) {
        List<String> parts = new ArrayList<>();
        for (SearchQuery.Term t : query.terms()) {
            if (t.stream() != stream) {
                continue;
            }
            List<String> quoted = new ArrayList<>();
            for (String token : t.tokens()) {
                quoted.add(quote(token));
            }
            String phrase = String.join(" <-> ", quoted);
            parts.add(t.prefix() ? phrase + ":*" : (quoted.size() > 1 ? "(" + phrase + ")" : phrase));
        }
        return parts.isEmpty() ? null : String.join(" & ", parts);
    }

    /** The FTS5 MATCH expression: every term in its column, and one of the conversations when given. */
    static String match(SearchQuery query, List<String> conversations) {
        List<String> parts = new ArrayList<>();
        if (conversations != null) {
            List<String> conv = new ArrayList<>();
            for (String c : conversations) {
                conv.add("conv : \"" + conversationToken(c) + "\"");
            }
            parts.add("(" + String.join(" OR ", conv) + ")");
        }
        for (SearchQuery.Term t : query.terms()) {
            String column = t.stream() == SearchQuery.Stream.WORDS ? "words" : "chars";
            String phrase = "\"" + String.join(" ", t.tokens()).replace("\"", "\"\"") + "\"";
            parts.add(column + " : " + phrase + (t.prefix() ? " *" : ""));
        }
        return String.join(" AND ", parts);
    }

    // ---- the search statement --------------------------------------------------------------------------------------

    static final String HIT_COLUMNS = "d.conversation_id, d.seq, e.message_id, e.actor_id, "
            + "COALESCE(e.edited_body, e.body), e.created_at, e.edited_at";

    /** The filters and the page, after the match: the same on both dialects. */
    static void filters(SearchIndex.Request r, StringBuilder sql, List<Object> params) {
        sql.append(" AND e.deleted_at IS NULL AND COALESCE(e.edited_at, 0) = d.version");
        if (r.conversationId() != null) {
            sql.append(" AND d.conversation_id = ?");
            params.add(r.conversationId());
        }
        if (r.senderId() != null) {
            sql.append(" AND e.actor_id = ?");
            params.add(r.senderId());
        }
        if (r.afterMillis() != null) {
            sql.append(" AND e.created_at >= ?");
            params.add(r.afterMillis());
        }
        if (r.beforeMillis() != null) {
            sql.append(" AND e.created_at < ?");
            params.add(r.beforeMillis());
        }
        SearchIndex.After a = r.after();
        if (r.sort() == SearchIndex.Sort.NEWEST && a.conversationId() != null) {
            sql.append(" AND (e.created_at < ? OR (e.created_at = ? AND (d.conversation_id < ? "
                    + "OR (d.conversation_id = ? AND d.seq < ?))))");
            params.add(a.createdAt());
            params.add(a.createdAt());
            params.add(a.conversationId());
            params.add(a.conversationId());
            params.add(a.seq());
        }
    }

    static void order(SearchIndex.Request r, String rankOrder, StringBuilder sql, List<Object> params) {
        if (r.sort() == SearchIndex.Sort.NEWEST) {
            sql.append(" ORDER BY e.created_at DESC, d.conversation_id DESC, d.seq DESC LIMIT ?");
            params.add(r.limit());
        } else {
            sql.append(" ORDER BY ")
                    .append(rankOrder)
                    .append(", e.created_at DESC, d.conversation_id, d.seq LIMIT ? OFFSET ?");
            params.add(r.limit());
            params.add(r.after().offset());
        }
    }
}
