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
        this.mapper = new ObjectMapper()
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
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
                return new ClientFrame.Send(conversationId, clientMsgId, body);
            }
            case "sync":
                return new ClientFrame.Sync(cursors(root, type), unlisted(root, type));
            case "ping": {
                JsonNode id = root.get("id");
                if (id == null || id.isNull()) {
                    return new ClientFrame.Ping(null);
                }
                return new ClientFrame.Ping(id(root, "id", type, null));
            }
            case "auth":
                return new ClientFrame.Auth(string(root, "token", type, null));
            default:
                throw new ProtocolException(ErrorCode.UNKNOWN_TYPE, "unknown frame type '" + clip(type) + "'", clip(type));
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
        } else if (frame instanceof ClientFrame.Sync s) {
            ObjectNode c = node.putObject("cursors");
            if (s.cursors() != null) {
                s.cursors().forEach(c::put);
            }
            if (s.unlisted() != null) {
                node.put("unlisted", s.unlisted());
            }
        } else if (frame instanceof ClientFrame.Ping p) {
            if (p.id() != null) {
                node.put("id", p.id());
            }
        } else if (frame instanceof ClientFrame.Auth a) {
            node.put("token", a.token());
        }
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- validation helpers ------------------------------------------------------------------------------------

    private static String string(JsonNode root, String field, String type, String ref) throws ProtocolException {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            throw new ProtocolException(ErrorCode.MISSING_FIELD, "missing field '" + field + "' in " + type,
                    ref != null ? ref : type);
        }
        if (!n.isTextual()) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, "field '" + field + "' must be a string",
                    ref != null ? ref : type);
        }
        return n.textValue();
    }

    private static String id(JsonNode root, String field, String type, String ref) throws ProtocolException {
        String v = string(root, field, type, ref);
        if (v.isEmpty() || v.length() > MAX_ID_LENGTH) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD,
                    "field '" + field + "' must be 1 to " + MAX_ID_LENGTH + " characters", ref != null ? ref : type);
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
                throw new ProtocolException(ErrorCode.INVALID_FIELD,
                        "cursor for '" + clip(e.getKey()) + "' must be a non-negative integer", type);
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
        if (n.isTextual() && (n.textValue().equals(ClientFrame.Sync.REPLAY) || n.textValue().equals(ClientFrame.Sync.SKIP))) {
            return n.textValue();
        }
        throw new ProtocolException(ErrorCode.INVALID_FIELD, "field 'unlisted' must be \"replay\" or \"skip\"", type);
    }

    private static String clip(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
