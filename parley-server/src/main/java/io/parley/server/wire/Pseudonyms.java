package io.parley.server.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The one owner of the rule "in a stranger conversation the members know each other only by pseudonym"
 * (docs/protocol.md, "Matching"; docs/api.md, "Stranger conversations"). Every face that shows a stranger
 * conversation (the delivery of its events, its typing and receipts signals, the replay of its log, every REST body
 * under {@code /conversations/{id}}, conversation lists and search hits) passes what it shows through
 * {@link Aliases#mask}: each member's user id becomes the member's pseudonym, and the username and display name of
 * an object naming a member become the pseudonym too. Message content (bodies, snippets, titles, names) is never
 * rewritten.
 * <p>
 * Stranger conversations are told apart by their id alone ({@link #isStranger}: ids {@code s_...}, only the
 * matching service makes them), so an ordinary conversation costs one prefix test and no lookup. The pseudonyms are
 * stored with the conversation (schema V13) and cached here, a bounded map read without a lock: the matching service
 * {@link #remember}s a new pair's before it creates the conversation, so its first events find them.
 * Thread-safe.
 */
public final class Pseudonyms {
    /** The id prefix of stranger conversations; {@code c_} for every other. */
    public static final String ID_PREFIX = "s_";

    /** Keys whose values are what someone wrote, never an identity: left as they are. */
    private static final Set<String> CONTENT =
            Set.of("body", "snippet", "replySnippet", "title", "name", "emoji", "message", "contentType");

    private static final int CACHE_SIZE = 100_000;

    /** Reads a conversation's stored pseudonyms ({@code ChatStore.strangerAliases}). */
    private final Function<String, CompletableFuture<Map<String, String>>> loader;

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /**
     * Lock-free reads (the commit listener asks on the store's writer thread); past {@link #CACHE_SIZE} an arbitrary
     * entry makes room, to be read again from the store when next needed.
     */
    private final ConcurrentHashMap<String, Aliases> cache = new ConcurrentHashMap<>();

    /**
     * {@code loader}: the store's {@code strangerAliases}; a function, since the store's commit listener needs this
     * object before the store exists.
     */
    public Pseudonyms(Function<String, CompletableFuture<Map<String, String>>> loader) {
        this.loader = loader;
    }

    /** Whether this is a stranger conversation's id: a prefix test, nothing looked up. */
    public static boolean isStranger(String conversationId) {
        return conversationId != null && conversationId.startsWith(ID_PREFIX);
    }

    /** Records a new stranger conversation's pseudonyms (user id to pseudonym) before it is created. */
    public void remember(String conversationId, Map<String, String> byUser) {
        cache(conversationId, new Aliases(conversationId, Map.copyOf(byUser)));
    }

    private void cache(String conversationId, Aliases a) {
        if (cache.size() >= CACHE_SIZE) {
            Iterator<String> any = cache.keySet().iterator();
            if (any.hasNext()) {
                cache.remove(any.next());
            }
        }
        cache.put(conversationId, a);
    }

    /** The cached pseudonyms of a conversation; {@link Aliases#NONE} for an ordinary one, null when not cached. */
    public Aliases cached(String conversationId) {
        if (!isStranger(conversationId)) {
            return Aliases.NONE;
        }
        return cache.get(conversationId);
    }

    /**
     * The pseudonyms of a conversation: {@link Aliases#NONE} at once for an ordinary one; for a stranger one from the
     * cache, else from the store. Fails (never answers NONE) when the store cannot say: a stranger conversation is
     * never shown unmasked.
     */
    public CompletableFuture<Aliases> of(String conversationId) {
        Aliases a = cached(conversationId);
        if (a != null) {
            return CompletableFuture.completedFuture(a);
        }
        return loader.apply(conversationId).thenApply(byUser -> {
            if (byUser.isEmpty()) {
                // No such conversation (or not yet committed): nothing to show of it, and nothing cached.
                return new Aliases(conversationId, Map.of());
            }
            Aliases loaded = new Aliases(conversationId, byUser);
            cache(conversationId, loaded);
            return loaded;
        });
    }

    /**
     * A REST body as its caller may see it: masked whole for the stranger conversation it is about ({@code scope},
     * the path's conversation, else the body's own {@code conversationId}); else each item of its top-level arrays
     * that is, or belongs to, a stranger conversation (a conversation list, search hits). Ordinary bodies come back
     * as they are, with nothing looked up.
     */
    public CompletableFuture<JsonObject> maskBody(String scope, JsonObject body) {
        String about = scope != null ? scope : body.getValue("conversationId") instanceof String c ? c : null;
        if (isStranger(about)) {
            return of(about).thenApply(a -> a.mask(body));
        }
        CompletableFuture<JsonObject> out = CompletableFuture.completedFuture(body);
        for (Object v : body.getMap().values()) {
            if (v instanceof io.vertx.core.json.JsonArray items) {
                for (int i = 0; i < items.size(); i++) {
                    if (items.getValue(i) instanceof JsonObject item && isStranger(conversationOf(item))) {
                        int at = i;
                        out = out.thenCombine(of(conversationOf(item)), (b, a) -> {
                            items.set(at, a.mask(item));
                            return b;
                        });
                    }
                }
            }
        }
        return out;
    }

    private static String conversationOf(JsonObject item) {
        Object c = item.getValue("conversationId");
        if (c == null) {
            c = item.getValue("id");
        }
        return c instanceof String s ? s : null;
    }

    /** How the members of one conversation appear to each other. Immutable. */
    public static final class Aliases {
        /** An ordinary conversation: nothing is rewritten. */
        public static final Aliases NONE = new Aliases("", Map.of());

        private final String conversationId;
        private final Map<String, String> byUser;

        Aliases(String conversationId, Map<String, String> byUser) {
            this.conversationId = conversationId;
            this.byUser = byUser;
        }

        /** The pseudonym of a member; any other id as it is. */
        public String of(String userId) {
            return byUser.getOrDefault(userId, userId);
        }

        /** An encoded JSON frame, masked (the same array when there is nothing to mask). */
        public byte[] mask(byte[] json) {
            if (byUser.isEmpty()) {
                return json;
            }
            try {
                JsonNode root = MAPPER.readTree(json);
                return mask(root) ? MAPPER.writeValueAsBytes(root) : json;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** A REST body, masked. */
        public JsonObject mask(JsonObject body) {
            if (byUser.isEmpty()) {
                return body;
            }
            try {
                JsonNode root = MAPPER.readTree(body.encode());
                return mask(root) ? new JsonObject(MAPPER.writeValueAsString(root)) : body;
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Rewrites {@code node} in place; true when something changed. */
        private boolean mask(JsonNode node) {
            boolean changed = false;
            if (node instanceof ObjectNode o) {
                String named = null;
                for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> f = it.next();
                    JsonNode v = f.getValue();
                    if (v.isTextual()) {
                        String alias = byUser.get(v.textValue());
                        if (alias != null && !CONTENT.contains(f.getKey())) {
                            f.setValue(TextNode.valueOf(alias));
                            named = "userId".equals(f.getKey()) || named == null ? alias : named;
                            changed = true;
                        }
                    } else if (!CONTENT.contains(f.getKey())) {
                        changed |= mask(v);
                    }
                }
                if (named != null) {
                    // An object naming a member (a member, a user, a hit) shows the pseudonym for every name.
                    for (String k : new String[] {"username", "displayName"}) {
                        if (o.has(k)) {
                            o.put(k, named);
                        }
                    }
                }
                JsonNode id = o.get("id");
                if (id != null && conversationId.equals(id.asText()) && o.has("type")) {
                    o.put("type", "stranger");
                    changed = true;
                }
            } else if (node instanceof ArrayNode a) {
                for (int i = 0; i < a.size(); i++) {
                    JsonNode v = a.get(i);
                    String alias = v.isTextual() ? byUser.get(v.textValue()) : null;
                    if (alias != null) {
                        a.set(i, TextNode.valueOf(alias));
                        changed = true;
                    } else {
                        changed |= mask(v);
                    }
                }
            }
            return changed;
        }
    }
}
