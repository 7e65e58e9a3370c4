package io.parley.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded mutator of valid JSON documents (frames, REST bodies) and of strings (query values, path segments): the
 * same seed gives the same sequence, so a failure is replayed by its seed and index. Structural mutations (a field
 * removed, retyped, set to an edge value, an unknown field, deep nesting, the whole document replaced) keep the input
 * mostly JSON so it reaches past the parser; character mutations (truncation, a byte inserted or dropped, a span
 * doubled) test the parser itself.
 */
final class FrameMutator {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String[] FIELDS = {
        "type",
        "token",
        "cursors",
        "unlisted",
        "receiptsSince",
        "conversationId",
        "clientMsgId",
        "body",
        "replyTo",
        "messageId",
        "ref",
        "emoji",
        "seq",
        "active",
        "userIds",
        "id",
        "title",
        "members",
        "userId",
        "username",
        "password",
        "role",
        "before",
        "after",
        "limit",
        "__proto__",
        ""
    };
    private static final String[] TYPES = {
        "auth", "sync", "send", "edit", "delete", "react", "unreact", "delivered", "read", "typing", "presence_query",
        "ping", "direct", "group", "owner", "admin", "member", "SEND", "", " send", "welcome", "ack"
    };
    private static final String[] CHARS = {
        "{",
        "}",
        "[",
        "]",
        "\"",
        ":",
        ",",
        "\\",
        "\\u0000",
        "\\ud800",
        "0",
        "-",
        "e",
        ".",
        "\u0000",
        "\u00e9",
        "\ud83d\ude00",
        "\u202e",
        " ",
        "\n",
        "null",
        "true",
        "1e999"
    };

    private final SplittableRandom random;
    /** Strings worth trying as ids: the test's real ids (so guesses land on real rows) besides junk. */
    private final List<String> ids;

    FrameMutator(long seed, List<String> ids) {
        this.random = new SplittableRandom(seed);
        this.ids = List.copyOf(ids);
    }

    int nextInt(int bound) {
        return random.nextInt(bound);
    }

    <T> T pick(List<T> from) {
        return from.get(random.nextInt(from.size()));
    }

    /** One to three structural mutations of {@code valid}, then, one time in three, a character mutation. */
    String mutate(String valid) {
        String out;
        try {
            JsonNode doc = JSON.readTree(valid);
            int n = 1 + random.nextInt(3);
            for (int i = 0; i < n; i++) {
                doc = mutateTree(doc);
            }
            out = JSON.writeValueAsString(doc);
        } catch (Exception e) {
            throw new IllegalStateException("the corpus holds invalid JSON: " + valid, e);
        }
        if (random.nextInt(40) == 0 && out.startsWith("{")) {
            // Deeper than any JSON writer emits: only as raw text.
            int depth = 900 + random.nextInt(5000);
            return "{\"deep\":" + "[".repeat(depth) + "]".repeat(depth) + "," + out.substring(1);
        }
        return random.nextInt(3) == 0 ? mutateChars(out) : out;
    }

    private JsonNode mutateTree(JsonNode doc) {
        if (!(doc instanceof ObjectNode obj) || random.nextInt(20) == 0) {
            return random.nextInt(2) == 0 ? value() : NODES.arrayNode().add(doc);
        }
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        switch (random.nextInt(7)) {
            case 0 -> {
                if (!names.isEmpty()) {
                    obj.remove(pick(names));
                }
            }
            case 1 -> obj.set(names.isEmpty() ? field() : pick(names), value());
            case 2 -> obj.set(field(), value());
            case 3 -> obj.put("type", TYPES[random.nextInt(TYPES.length)]);
            case 4 -> {
                if (!names.isEmpty()) {
                    obj.put(pick(names), pick(ids));
                }
            }
            case 5 -> {
                if (!names.isEmpty()) {
                    String name = pick(names);
                    JsonNode inner = obj.get(name);
                    if (inner instanceof ObjectNode) {
                        obj.set(name, mutateTree(inner));
                    } else {
                        obj.set(name, value());
                    }
                }
            }
            default -> obj.set(names.isEmpty() ? field() : pick(names), nested(1 + random.nextInt(900)));
        }
        return obj;
    }

    private String field() {
        return random.nextInt(4) == 0 ? string() : FIELDS[random.nextInt(FIELDS.length)];
    }

    /** An edge value of a random JSON type. */
    JsonNode value() {
        return switch (random.nextInt(16)) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.booleanNode(random.nextBoolean());
            case 2 -> NODES.numberNode(0);
            case 3 -> NODES.numberNode(-1);
            case 4 -> NODES.numberNode(Long.MAX_VALUE);
            case 5 -> NODES.numberNode(new java.math.BigInteger("9223372036854775808"));
            case 6 -> NODES.numberNode(1.5);
            case 7 -> NODES.numberNode(Double.MAX_VALUE);
            case 8 -> NODES.numberNode(random.nextInt(100));
            case 9 -> NODES.objectNode().put(pick(ids), random.nextInt(5) - 1);
            case 10 -> NODES.arrayNode().add(pick(ids)).add(random.nextInt(3));
            case 11 -> NODES.textNode(pick(ids));
            default -> NODES.textNode(string());
        };
    }

    /** An edge string: empty, blank, long, control characters, emoji, lone surrogates escaped, ... */
    String string() {
        return switch (random.nextInt(12)) {
            case 0 -> "";
            case 1 -> " \t\n";
            case 2 -> "x".repeat(128);
            case 3 -> "x".repeat(129);
            case 4 -> "y".repeat(4001);
            case 5 -> "\ud83d\udc4d";
            case 6 -> "\u0000\u0001\u007f";
            case 7 -> "\u202egnp.exe";
            case 8 -> "../../etc/passwd";
            case 9 -> "%00%zz%2F";
            case 10 -> "z".repeat(70_000);
            default -> Integer.toString(random.nextInt(1000));
        };
    }

    private JsonNode nested(int depth) {
        JsonNode n = NODES.numberNode(1);
        for (int i = 0; i < depth; i++) {
            if (i % 2 == 0) {
                ArrayNode a = NODES.arrayNode();
                a.add(n);
                n = a;
            } else {
                ObjectNode o = NODES.objectNode();
                o.set("a", n);
                n = o;
            }
        }
        return n;
    }

    String mutateChars(String s) {
        if (s.isEmpty()) {
            return CHARS[random.nextInt(CHARS.length)];
        }
        int at = random.nextInt(s.length());
        return switch (random.nextInt(5)) {
            case 0 -> s.substring(0, at);
            case 1 -> s.substring(0, at) + s.substring(Math.min(s.length(), at + 1 + random.nextInt(4)));
            case 2 -> s.substring(0, at) + CHARS[random.nextInt(CHARS.length)] + s.substring(at);
            case 3 -> s.substring(0, at) + s.substring(at, Math.min(s.length(), at + 20)) + s.substring(at);
            default -> s.replace('"', random.nextBoolean() ? '\'' : '`');
        };
    }
}
