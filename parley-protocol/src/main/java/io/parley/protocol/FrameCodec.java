package io.parley.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JSON codec for {@link ClientFrame} and {@link ServerFrame}. Thread-safe; one instance can be shared.
 *
 * <p>Client frames are validated field by field so that each rejection names the field and carries the matching
 * {@link ErrorCode}: not JSON or not an object -> bad_json; no or unknown {@code type} -> missing_field/unknown_type;
 * absent field -> missing_field; wrong JSON type or out-of-range value -> invalid_field.
 */
public final class FrameCodec {
    /** Longest accepted id (conversation id, clientMsgId, ping id). */
    public static final int MAX_ID_LENGTH = 128;

    private final ObjectMapper mapper;

    public FrameCodec() {
        this.mapper = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    // ---- server side -------------------------------------------------------------------------------------------

    /** Decodes and validates one client frame. */
    public ClientFrame decodeClient(String text) throws ProtocolException {
        JsonNode root;
        try {
            root = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ProtocolException(ErrorCode.BAD_JSON, "frame is not valid JSON", null);
        }
        if (root == null || !root.isObject()) {
            throw new ProtocolException(ErrorCode.BAD_JSON, "frame must be a JSON object", null);
        }
        JsonNode typeNode = root.get("type");
        if (typeNode == null || typeNode.isNull()) {
            throw new ProtocolException(ErrorCode.MISSING_FIELD, "missing field 'type'", null);
        }
        if (!typeNode.isTextual()) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "field 'type' must be a string", null);
        }
        String type = typeNode.textValue();
        switch (type) {
            case "send": {
                String clientMsgId = id(root, "clientMsgId", type, null);
                String conversationId = id(root, "conversationId", type, clientMsgId);
                String body = string(root, "body", type, clientMsgId);
                String replyTo = optionalId(root, "replyTo", type, clientMsgId);
                return new ClientFrame.Send(conversationId, clientMsgId, body, replyTo);
            }
            case "sync":
                return new ClientFrame.Sync(
                        cursors(root, type), unlisted(root, type), optionalSeq(root, "receiptsSince", type));
            case "edit": {
                String ref = optionalId(root, "ref", type, null);
                return new ClientFrame.Edit(
                        ref,
                        id(root, "conversationId", type, ref),
                        id(root, "messageId", type, ref),
                        string(root, "body", type, ref));
            }
            case "delete": {
                String ref = optionalId(root, "ref", type, null);
                return new ClientFrame.Delete(
                        ref, id(root, "conversationId", type, ref), id(root, "messageId", type, ref));
            }
            case "react", "unreact": {
                String ref = optionalId(root, "ref", type, null);
                return new ClientFrame.React(
                        ref,
                        id(root, "conversationId", type, ref),
                        id(root, "messageId", type, ref),
                        emoji(root, type, ref),
                        type.equals("unreact"));
            }
            case "read", "delivered": {
                String conversationId = id(root, "conversationId", type, null);
                Long seq = optionalSeq(root, "seq", type);
                if (seq == null) {
                    throw new ProtocolException(ErrorCode.MISSING_FIELD, "missing field 'seq' in " + type, type);
                }
                return new ClientFrame.Receipt(conversationId, seq, type.equals("read"));
            }
            case "typing": {
                String conversationId = id(root, "conversationId", type, null);
                JsonNode active = root.get("active");
                if (active != null && !active.isNull() && !active.isBoolean()) {
                    throw new ProtocolException(ErrorCode.INVALID_FIELD, "field 'active' must be a boolean", type);
                }
                return new ClientFrame.Typing(
                        conversationId, active == null || active.isNull() || active.booleanValue());
            }
            case "presence_query": {
                String ref = optionalId(root, "ref", type, null);
                return new ClientFrame.PresenceQuery(ref, userIds(root, type, ref));
            }
            case "ping": {
                JsonNode id = root.get("id");
                if (id == null || id.isNull()) {
                    return new ClientFrame.Ping(null);
                }
                return new ClientFrame.Ping(id(root, "id", type, null));
            }
            case "auth":
                return new ClientFrame.Auth(string(root, "token", type, null));
            case "match_join", "match_leave", "match_next", "match_end", "match_report", "match_block":
                return match(root, type);
            default:
                throw new ProtocolException(
                        ErrorCode.UNKNOWN_TYPE, "unknown frame type '" + clip(type) + "'", clip(type));
        }
    }

    public byte[] encode(ServerFrame frame) {
        try {
            return mapper.writerFor(ServerFrame.class).writeValueAsBytes(frame);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String encodeToString(ServerFrame frame) {
        try {
            return mapper.writerFor(ServerFrame.class).writeValueAsString(frame);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- client side -------------------------------------------------------------------------------------------

    /** Decodes a server frame (trusted input; unknown fields are ignored so servers can add fields). */
    public ServerFrame decodeServer(String text) {
        try {
            return mapper.readValue(text, ServerFrame.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot decode server frame: " + clip(text), e);
        }
    }

    public String encode(ClientFrame frame) {
        ObjectNode node = mapper.createObjectNode();
        node.put("type", frame.type());
        if (frame instanceof ClientFrame.Send s) {
            node.put("conversationId", s.conversationId());
            node.put("clientMsgId", s.clientMsgId());
            node.put("body", s.body());
            if (s.replyTo() != null) {
                node.put("replyTo", s.replyTo());
            }
        } else if (frame instanceof ClientFrame.Sync s) {
            ObjectNode c = node.putObject("cursors");
            if (s.cursors() != null) {
                s.cursors().forEach(c::put);
            }
            if (s.unlisted() != null) {
                node.put("unlisted", s.unlisted());
            }
            if (s.receiptsSince() != null) {
                node.put("receiptsSince", s.receiptsSince());
            }
        } else if (frame instanceof ClientFrame.Edit e) {
            putIfPresent(node, "ref", e.ref());
            node.put("conversationId", e.conversationId());
            node.put("messageId", e.messageId());
            node.put("body", e.body());
        } else if (frame instanceof ClientFrame.Delete d) {
            putIfPresent(node, "ref", d.ref());
            node.put("conversationId", d.conversationId());
            node.put("messageId", d.messageId());
        } else if (frame instanceof ClientFrame.React r) {
            putIfPresent(node, "ref", r.ref());
            node.put("conversationId", r.conversationId());
            node.put("messageId", r.messageId());
            node.put("emoji", r.emoji());
        } else if (frame instanceof ClientFrame.Receipt r) {
            node.put("conversationId", r.conversationId());
            node.put("seq", r.seq());
        } else if (frame instanceof ClientFrame.Typing t) {
            node.put("conversationId", t.conversationId());
            node.put("active", t.active());
        } else if (frame instanceof ClientFrame.PresenceQuery q) {
            putIfPresent(node, "ref", q.ref());
            q.userIds().forEach(node.putArray("userIds")::add);
        } else if (frame instanceof ClientFrame.Ping p) {
            if (p.id() != null) {
                node.put("id", p.id());
            }
        } else if (frame instanceof ClientFrame.Auth a) {
            node.put("token", a.token());
        } else if (frame instanceof ClientFrame.Match m) {
            putIfPresent(node, "ref", m.ref());
            if (!m.interests().isEmpty()) {
                m.interests().forEach(node.putArray("interests")::add);
            }
            putIfPresent(node, "language", m.language());
            if (m.takeover()) {
                node.put("takeover", true);
            }
            putIfPresent(node, "reason", m.reason());
        }
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- validation helpers ------------------------------------------------------------------------------------

    /** Longest accepted emoji (grapheme clusters with modifiers and ZWJ sequences fit comfortably). */
    public static final int MAX_EMOJI_LENGTH = 32;
    /** Most user ids in one presence query. */
    public static final int MAX_PRESENCE_QUERY = 500;

    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    private static String optionalId(JsonNode root, String field, String type, String ref) throws ProtocolException {
        JsonNode n = root.get(field);
        return n == null || n.isNull() ? null : id(root, field, type, ref);
    }

    private static Long optionalSeq(JsonNode root, String field, String type) throws ProtocolException {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.canConvertToExactIntegral() || !n.canConvertToLong() || n.asLong() < 0) {
            throw new ProtocolException(
                    ErrorCode.INVALID_FIELD, "field '" + field + "' must be a non-negative integer", type);
        }
        return n.asLong();
    }

    /**
     * An emoji reaction: 1 to {@link #MAX_EMOJI_LENGTH} UTF-16 units holding at least one symbol, with no white
     * space, control characters or letters, and no ASCII except keycap digits, '#' and '*' (so ":+1:" shortcodes and
     * plain text are refused).
     */
    private static final java.util.regex.Pattern GRAPHEME = java.util.regex.Pattern.compile("\\X");

    public static boolean isEmoji(String s) {
        if (s.isEmpty() || s.length() > MAX_EMOJI_LENGTH) {
            return false;
        }
        boolean symbol = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isWhitespace(cp) || Character.isISOControl(cp) || Character.isLetter(cp)) {
                return false;
            }
            if (cp < 0x80 && !(cp >= '0' && cp <= '9') && cp != '#' && cp != '*') {
                return false; // keycaps like 1️⃣ are the only ASCII allowed
            }
            // Newer emoji than this JDK's Unicode tables show as unassigned code points in the emoji planes.
            symbol |= Character.getType(cp) == Character.OTHER_SYMBOL || cp >= 0x1F000 || cp == 0x20E3;
        }
        // One emoji is one extended grapheme cluster (UAX #29): a ZWJ family, a flag, a skin tone or a keycap
        // sequence counts once; two thumbs do not.
        return symbol && GRAPHEME.matcher(s).matches();
    }

    private static String emoji(JsonNode root, String type, String ref) throws ProtocolException {
        String e = string(root, "emoji", type, ref);
        if (!isEmoji(e)) {
            throw new ProtocolException(
                    ErrorCode.INVALID_FIELD,
                    "field 'emoji' must be one emoji (at most " + MAX_EMOJI_LENGTH + " UTF-16 units, no text)",
                    ref != null ? ref : type);
        }
        return e;
    }

    private static java.util.List<String> userIds(JsonNode root, String type, String ref) throws ProtocolException {
        JsonNode n = root.get("userIds");
        if (n == null || n.isNull()) {
            throw new ProtocolException(
                    ErrorCode.MISSING_FIELD, "missing field 'userIds' in " + type, ref != null ? ref : type);
        }
        if (!n.isArray() || n.size() > MAX_PRESENCE_QUERY) {
            throw new ProtocolException(
                    ErrorCode.INVALID_FIELD,
                    "field 'userIds' must be an array of at most " + MAX_PRESENCE_QUERY + " user ids",
                    ref != null ? ref : type);
        }
        java.util.List<String> out = new java.util.ArrayList<>();
        for (JsonNode u : n) {
            if (!u.isTextual() || u.textValue().isEmpty() || u.textValue().length() > MAX_ID_LENGTH) {
                throw new ProtocolException(
                        ErrorCode.INVALID_FIELD, "field 'userIds' must hold user ids", ref != null ? ref : type);
            }
            out.add(u.textValue());
        }
        return out;
    }

    private static String string(JsonNode root, String field, String type, String ref) throws ProtocolException {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            throw new ProtocolException(
                    ErrorCode.MISSING_FIELD, "missing field '" + field + "' in " + type, ref != null ? ref : type);
        }
        if (!n.isTextual()) {
            throw new ProtocolException(
                    ErrorCode.INVALID_FIELD, "field '" + field + "' must be a string", ref != null ? ref : type);
        }
        return n.textValue();
    }

    private static String id(JsonNode root, String field, String type, String ref) throws ProtocolException {
        String v = string(root, field, type, ref);
        if (v.isEmpty() || v.length() > MAX_ID_LENGTH) {
            throw new ProtocolException(
                    ErrorCode.INVALID_FIELD,
                    "field '" + field + "' must be 1 to " + MAX_ID_LENGTH + " characters",
                    ref != null ? ref : type);
        }
        return v;
    }

    private static Map<String, Long> cursors(JsonNode root, String type) throws ProtocolException {
        JsonNode n = root.get("cursors");
        Map<String, Long> out = new LinkedHashMap<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (!n.isObject()) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "field 'cursors' must be an object", type);
        }
        Iterator<Map.Entry<String, JsonNode>> it = n.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (!v.canConvertToExactIntegral() || !v.canConvertToLong() || v.asLong() < 0) {
                throw new ProtocolException(
                        ErrorCode.INVALID_FIELD,
                        "cursor for '" + clip(e.getKey()) + "' must be a non-negative integer",
                        type);
            }
            if (e.getKey().isEmpty() || e.getKey().length() > MAX_ID_LENGTH) {
                throw new ProtocolException(ErrorCode.INVALID_FIELD, "cursor keys must be conversation ids", type);
            }
            out.put(e.getKey(), v.asLong());
        }
        return out;
    }

    private static String unlisted(JsonNode root, String type) throws ProtocolException {
        JsonNode n = root.get("unlisted");
        if (n == null || n.isNull()) {
            return ClientFrame.Sync.REPLAY;
        }
        if (n.isTextual()
                && (n.textValue().equals(ClientFrame.Sync.REPLAY)
                        || n.textValue().equals(ClientFrame.Sync.SKIP))) {
            return n.textValue();
        }
        throw new ProtocolException(ErrorCode.INVALID_FIELD, "field 'unlisted' must be \"replay\" or \"skip\"", type);
    }

    /** Most interests in one {@code match_join}. */
    public static final int MAX_INTERESTS = 10;
    /** Longest report reason. */
    public static final int MAX_REPORT_REASON = 500;

    private static final java.util.regex.Pattern INTEREST = java.util.regex.Pattern.compile("[\\p{L}\\p{N} _-]{1,32}");
    private static final java.util.regex.Pattern LANGUAGE =
            java.util.regex.Pattern.compile("[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})?");

    private static ClientFrame.Match match(JsonNode root, String type) throws ProtocolException {
        String ref = optionalId(root, "ref", type, null);
        String where = ref != null ? ref : type;
        java.util.List<String> interests = new java.util.ArrayList<>();
        JsonNode n = root.get("interests");
        if (n != null && !n.isNull()) {
            if (!n.isArray() || n.size() > MAX_INTERESTS) {
                throw new ProtocolException(
                        ErrorCode.INVALID_FIELD,
                        "field 'interests' must be an array of at most " + MAX_INTERESTS + " words",
                        where);
            }
            for (JsonNode i : n) {
                String v = i.isTextual() ? i.textValue().strip().toLowerCase(java.util.Locale.ROOT) : "";
                if (!INTEREST.matcher(v).matches()) {
                    throw new ProtocolException(
                            ErrorCode.INVALID_FIELD,
                            "field 'interests' must hold words of 1 to 32 letters, digits, spaces, '_' or '-'",
                            where);
                }
                if (!interests.contains(v)) {
                    interests.add(v);
                }
            }
        }
        String language = null;
        JsonNode l = root.get("language");
        if (l != null && !l.isNull()) {
            if (!l.isTextual() || !LANGUAGE.matcher(l.textValue()).matches()) {
                throw new ProtocolException(
                        ErrorCode.INVALID_FIELD,
                        "field 'language' must be a language tag such as \"en\" or \"pt-BR\"",
                        where);
            }
            language = l.textValue().toLowerCase(java.util.Locale.ROOT);
        }
        JsonNode t = root.get("takeover");
        if (t != null && !t.isNull() && !t.isBoolean()) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "field 'takeover' must be a boolean", where);
        }
        String reason = null;
        JsonNode r = root.get("reason");
        if (r != null && !r.isNull()) {
            if (!r.isTextual() || r.textValue().length() > MAX_REPORT_REASON) {
                throw new ProtocolException(
                        ErrorCode.INVALID_FIELD,
                        "field 'reason' must be a string of at most " + MAX_REPORT_REASON + " characters",
                        where);
            }
            reason = r.textValue();
        }
        return new ClientFrame.Match(
                type.substring("match_".length()),
                ref,
                interests,
                language,
                t != null && t.isBoolean() && t.booleanValue(),
                reason);
    }

    private static String clip(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
