package io.parley.client;

import io.parley.protocol.ClientFrame;
import io.parley.protocol.ServerFrame;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The ephemeral side of a client: receipt cursors of the members of each conversation, who is typing (expiring by
 * the server's ttl), presence of other users, and requests waiting for their {@code ok}. Written on the client's
 * thread; read from any thread (concurrent maps).
 */
final class LiveState {
    private final LongSupplier nanoTime;
    /** conversation -> user -> cursors. */
    private final Map<String, Map<String, ServerFrame.Receipt>> receipts = new ConcurrentHashMap<>();
    /** conversation -> user -> typing expiry (nanoTime). */
    private final Map<String, Map<String, Long>> typing = new ConcurrentHashMap<>();

    private final Map<String, ServerFrame.PresenceEntry> presence = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<ServerFrame>> requests = new HashMap<>();
    /** Highest seq received (to report as delivered) and read (to report as read), not yet sent. */
    private final Map<String, Long> deliveredToSend = new LinkedHashMap<>();

    private final Map<String, Long> readToSend = new LinkedHashMap<>();
    /** serverTime of the last synced: receipts changed since then are all a resume needs. */
    private Long receiptsSince;

    LiveState(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    // ---- receipts --------------------------------------------------------------------------------------------------

    /** Merges cursors (they only move forward). */
    void receipts(ServerFrame.Receipts r) {
        Map<String, ServerFrame.Receipt> c =
                receipts.computeIfAbsent(r.conversationId(), k -> new ConcurrentHashMap<>());
        for (ServerFrame.Receipt x : r.receipts()) {
            c.merge(
                    x.userId(),
                    x,
                    (a, b) -> new ServerFrame.Receipt(
                            a.userId(),
                            Math.max(a.deliveredSeq(), b.deliveredSeq()),
                            Math.max(a.readSeq(), b.readSeq())));
        }
    }

    Map<String, ServerFrame.Receipt> receiptsOf(String conversationId) {
        return Map.copyOf(receipts.getOrDefault(conversationId, Map.of()));
    }

    Set<String> readBy(String conversationId, long seq, boolean read) {
        Set<String> out = new LinkedHashSet<>();
        receipts.getOrDefault(conversationId, Map.of()).forEach((u, r) -> {
            if ((read ? r.readSeq() : r.deliveredSeq()) >= seq) {
                out.add(u);
            }
        });
        return out;
    }

    void synced(ServerFrame.Synced s) {
        if (s.serverTime() != null) {
            receiptsSince = s.serverTime();
        }
    }

    Long receiptsSince() {
        return receiptsSince;
    }

    void received(String conversationId, long seq) {
        deliveredToSend.merge(conversationId, seq, Math::max);
    }

    void read(String conversationId, long seq) {
        readToSend.merge(conversationId, seq, Math::max);
    }

    /** The receipt frames to send now (and forget). */
    java.util.List<ClientFrame> drainReceipts() {
        java.util.List<ClientFrame> out = new java.util.ArrayList<>();
        readToSend.forEach((c, s) -> out.add(new ClientFrame.Receipt(c, s, true)));
        deliveredToSend.forEach((c, s) -> {
            if (readToSend.getOrDefault(c, -1L) < s) {
                out.add(new ClientFrame.Receipt(c, s, false));
            }
        });
        readToSend.clear();
        deliveredToSend.clear();
        return out;
    }

    // ---- typing and presence ---------------------------------------------------------------------------------------

    void typing(ServerFrame.Typing t) {
        Map<String, Long> c = typing.computeIfAbsent(t.conversationId(), k -> new ConcurrentHashMap<>());
        if (t.active()) {
            c.put(t.userId(), nanoTime.getAsLong() + t.ttlMs() * 1_000_000);
        } else {
            c.remove(t.userId());
        }
    }

    /** Users typing in the conversation now (entries past their ttl are gone). */
    Set<String> typingIn(String conversationId) {
        long now = nanoTime.getAsLong();
        Map<String, Long> c = typing.getOrDefault(conversationId, Map.of());
        c.values().removeIf(expiry -> expiry - now <= 0);
        return Set.copyOf(c.keySet());
    }

    void presence(ServerFrame.Presence p) {
        for (ServerFrame.PresenceEntry e : p.users()) {
            presence.put(e.userId(), e);
        }
    }

    Optional<ServerFrame.PresenceEntry> presenceOf(String userId) {
        return Optional.ofNullable(presence.get(userId));
    }

    // ---- requests --------------------------------------------------------------------------------------------------

    void expect(String ref, CompletableFuture<ServerFrame> answer) {
        requests.put(ref, answer);
    }

    /** Completes the request the frame answers; false when it answers none. */
    boolean answer(String ref, ServerFrame frame) {
        CompletableFuture<ServerFrame> f = ref == null ? null : requests.remove(ref);
        if (f == null) {
            return false;
        }
        if (frame instanceof ServerFrame.Error e) {
            f.completeExceptionally(new ParleyException(e.code(), e.message()));
        } else {
            f.complete(frame);
        }
        return true;
    }

    /** The connection ended: no answer will come for what was asked on it. */
    void failRequests(String why) {
        requests.values().forEach(f -> f.completeExceptionally(new ParleyException("disconnected", why)));
        requests.clear();
    }
}
