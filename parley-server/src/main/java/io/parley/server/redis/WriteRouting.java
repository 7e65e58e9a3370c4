package io.parley.server.redis;

import io.parley.protocol.EventKind;
import io.parley.server.chat.Appends;
import io.parley.server.store.Appended;
import io.parley.server.store.EventHeader;
import io.parley.server.store.LogEntry;
import io.parley.server.store.NewMessage;
import io.parley.server.store.StoreException;
import io.parley.server.time.Scheduler;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster's sends, each appended by the node that owns its conversation's writes (docs/architecture.md, "One
 * writer per conversation"): one conversation's messages are then committed by one node's writer, in one queue,
 * instead of three nodes' group commits taking its row lock in turn, and its events are all published by that node,
 * in commit order, so no session holds one waiting for a seq another node published later.
 *
 * <p><b>Who owns what.</b> Every node keeps itself in the sorted set {@code {prefix}:nodes} (score: until when it
 * counts as alive, {@link #TTL} ahead, refreshed every {@link #HEARTBEAT}) and reads the live members back each time.
 * The owner of a conversation is the live node with the highest rendezvous hash of (node, conversation), so when a
 * node joins or leaves only the conversations it gains or loses move. A stopping node leaves the set first.
 *
 * <p><b>Forwarding.</b> A send whose owner is another node goes to that node's channel {@code {prefix:node:<id>}}
 * (SPUBLISH) with a request id; the owner appends it to its store exactly as a local send (the message id and time
 * were chosen by the sending node) and answers on the sender's channel with the stored event or the store's refusal.
 * The sender's future completes with that answer, so the client's ack still comes after the durable commit.
 *
 * <p><b>Nothing lost, nothing twice.</b> Routing only moves where the append runs; the store's rules (the conversation
 * lock, gapless seqs, idempotency per sender and clientMsgId) still hold whatever node runs it. So whenever the owner
 * cannot be reached (no node heard the publish, Redis failed, no answer within {@code timeout}, the owner's store
 * failed or is closing) the send is appended by this node instead: if the owner did commit it after all, the local
 * append finds it by its clientMsgId and answers with it ({@link Appended#duplicate()}), appending nothing. While
 * nodes disagree on who is alive (a heartbeat apart), two of them may write one conversation for a moment, as
 * without routing.
 */
public final class WriteRouting implements Appends, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("io.parley.routing");

    /** How often a node renews its place among the live nodes and reads theirs. */
    static final Duration HEARTBEAT = Duration.ofSeconds(1);
    /** How long a node counts as alive after its last heartbeat. */
    static final Duration TTL = Duration.ofSeconds(5);

    private final RedisConnections redis;
    private final String nodeId;
    private final Appends local;
    private final Scheduler scheduler;
    private final Duration timeout;
    private final String nodesKey;
    private final String ownChannel;
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong();
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong fallbacks = new AtomicLong();
    private final AtomicLong served = new AtomicLong();
    private final Scheduler.Cancellable heartbeat;
    /** The live nodes by the last heartbeat, sorted; empty until the first one answered (then every send is local). */
    private volatile List<String> live = List.of();

    private volatile boolean closed;

    private record Pending(NewMessage message, CompletableFuture<Appended> future, Scheduler.Cancellable timer) {}

    /**
     * Subscribes to this node's channel and joins the live nodes (waits up to 10 s for both: a node that cannot be
     * reached must not start). {@code local}: this node's store append; {@code timeout}: how long a forwarded send
     * waits for the owner's answer before it is appended here.
     */
    public WriteRouting(RedisConnections redis, String nodeId, Appends local, Scheduler scheduler, Duration timeout) {
        this.redis = redis;
        this.nodeId = nodeId;
        this.local = local;
        this.scheduler = scheduler;
        this.timeout = timeout;
        this.nodesKey = redis.key("nodes");
        this.ownChannel = channel(nodeId);
        redis.handle(channelPrefix(), this::onMessage);
        try {
            redis.ssubscribe(ownChannel).get(10, TimeUnit.SECONDS);
            beat().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot join the cluster's write routing in Redis: " + e, e);
        }
        this.heartbeat = scheduler.every(HEARTBEAT, this::beat);
    }

    private String channelPrefix() {
        String any = redis.shardChannel("node", 0);
        return any.substring(0, any.lastIndexOf(':') + 1);
    }

    private String channel(String node) {
        return channelPrefix() + node + "}";
    }

    /** Renews this node's place and reads the live nodes (on the scheduler's clock, so tests move it). */
    private CompletableFuture<Void> beat() {
        if (closed) {
            return CompletableFuture.completedFuture(null);
        }
        long now = scheduler.clock().millis();
        CompletableFuture<List<String>> read;
        try {
            var c = redis.commands();
            c.zremrangebyscore(nodesKey, io.lettuce.core.Range.create(Double.NEGATIVE_INFINITY, (double) now));
            c.zadd(nodesKey, (double) (now + TTL.toMillis()), nodeId);
            read = c.zrangebyscore(nodesKey, io.lettuce.core.Range.create((double) now, Double.POSITIVE_INFINITY))
                    .toCompletableFuture();
        } catch (RuntimeException e) {
            read = CompletableFuture.failedFuture(e); // a closed connection refuses at once
        }
        return read.thenAccept(nodes -> {
                    List<String> sorted = new ArrayList<>(nodes);
                    java.util.Collections.sort(sorted);
                    if (!sorted.equals(live)) {
                        LOG.info("live nodes for write routing: {}", sorted);
                    }
                    live = List.copyOf(sorted);
                })
                .exceptionally(e -> {
                    // The last list stands; a forward to a node that is gone falls back to a local append.
                    LOG.warn("reading the live nodes from Redis failed: {}", e.toString());
                    return null;
                });
    }

    /** The live nodes as this node last read them (sorted). */
    public List<String> liveNodes() {
        return live;
    }

    /** The node that owns {@code conversationId}'s writes: this one while it knows of no live node but itself. */
    public String owner(String conversationId) {
        return owner(live, conversationId, nodeId);
    }

    /** Rendezvous hashing: the node with the highest hash of (node, conversation); {@code self} when none is live. */
    static String owner(List<String> nodes, String conversationId, String self) {
        String best = self;
        long bestScore = Long.MIN_VALUE;
        long c = mix(conversationId.hashCode());
        for (String n : nodes) {
            long score = mix(c ^ mix(n.hashCode()));
            if (score > bestScore || (score == bestScore && n.compareTo(best) < 0)) {
                best = n;
                bestScore = score;
            }
        }
        return best;
    }

    /** A 64-bit finalizer (SplitMix64's): spreads String.hashCode's bits, which is the same on every JVM. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    @Override
    public CompletableFuture<Appended> append(NewMessage m) {
        String owner = owner(m.conversationId());
        if (closed || owner.equals(nodeId)) {
            return local.append(m);
        }
        long id = nextId.incrementAndGet();
        CompletableFuture<Appended> future = new CompletableFuture<>();
        Scheduler.Cancellable timer = scheduler.after(timeout, () -> fallBack(id, "no answer from " + owner));
        pending.put(id, new Pending(m, future, timer));
        forwarded.incrementAndGet();
        redis.spublish(channel(owner), request(id, m).encode()).whenComplete((heard, err) -> {
            if (err != null) {
                fallBack(id, "forwarding to " + owner + " failed: " + err);
            } else if (heard == 0) {
                fallBack(id, owner + " does not listen");
            }
        });
        return future;
    }

    /** The forwarded send {@code id} is appended here after all (at most once: whoever takes it from the map). */
    private void fallBack(long id, String why) {
        Pending p = pending.remove(id);
        if (p == null) {
            return;
        }
        p.timer().cancel();
        if (fallbacks.incrementAndGet() % 100 == 1) {
            LOG.warn(
                    "a send to {} is appended by this node: {} ({} so far)",
                    p.message().conversationId(),
                    why,
                    fallbacks.get());
        }
        local.append(p.message()).whenComplete((a, err) -> {
            if (err != null) {
                p.future().completeExceptionally(unwrap(err));
            } else {
                p.future().complete(a);
            }
        });
    }

    private void onMessage(String channel, String message) {
        JsonObject j;
        try {
            j = new JsonObject(message);
        } catch (RuntimeException e) {
            LOG.warn("ignoring a malformed routing message on {}: {}", channel, e.toString());
            return;
        }
        if ("append".equals(j.getString("t"))) {
            serve(j);
        } else if ("answer".equals(j.getString("t"))) {
            answer(j);
        }
    }

    /** The owner's side: appends the forwarded send to this node's store and answers the sender when it committed. */
    private void serve(JsonObject j) {
        long id = j.getLong("id");
        String from = j.getString("from");
        NewMessage m = new NewMessage(
                j.getString("c"),
                j.getString("s"),
                j.getString("k"),
                j.getString("b"),
                j.getString("m"),
                j.getLong("at"),
                j.getString("r"));
        served.incrementAndGet();
        local.append(m).whenComplete((a, err) -> {
            JsonObject out = new JsonObject().put("t", "answer").put("id", id);
            if (err == null) {
                out.put("ok", event(a.event())).put("dup", a.duplicate());
            } else {
                Throwable cause = unwrap(err);
                out.put("err", refusal(cause)).put("msg", String.valueOf(cause.getMessage()));
            }
            redis.spublish(channel(from), out.encode()).whenComplete((heard, perr) -> {
                if (perr != null) {
                    // The sender falls back after its timeout and finds the message by its clientMsgId.
                    LOG.warn("answering a forwarded send to {} failed: {}", from, perr.toString());
                }
            });
        });
    }

    /** The sender's side: the owner's answer completes the send it forwarded (unless it fell back meanwhile). */
    private void answer(JsonObject j) {
        Pending p = pending.remove(j.getLong("id"));
        if (p == null) {
            return; // answered after the timeout: the send was appended here and answered from that
        }
        p.timer().cancel();
        String err = j.getString("err");
        if (err == null) {
            p.future().complete(new Appended(posted(j.getJsonObject("ok")), j.getBoolean("dup")));
        } else if ("not_found".equals(err)) {
            p.future().completeExceptionally(new StoreException.NotFound(j.getString("msg")));
        } else if ("message_not_found".equals(err)) {
            p.future().completeExceptionally(new StoreException.MessageNotFound(j.getString("msg")));
        } else {
            // The owner's store failed or is closing: this node's store decides.
            pending.put(j.getLong("id"), p);
            fallBack(j.getLong("id"), "the owner's store answered " + j.getString("msg"));
        }
    }

    /** The store refusals a sender maps to error codes; anything else makes the sender append it itself. */
    private static String refusal(Throwable e) {
        if (e instanceof StoreException.MessageNotFound) {
            return "message_not_found";
        }
        if (e instanceof StoreException.NotFound) {
            return "not_found";
        }
        return "retry";
    }

    private JsonObject request(long id, NewMessage m) {
        return new JsonObject()
                .put("t", "append")
                .put("id", id)
                .put("from", nodeId)
                .put("c", m.conversationId())
                .put("s", m.senderId())
                .put("k", m.clientMsgId())
                .put("b", m.body())
                .put("m", m.messageId())
                .put("at", m.createdAt())
                .put("r", m.replyTo());
    }

    private static JsonObject event(LogEntry.MessagePosted e) {
        return new JsonObject()
                .put("c", e.conversationId())
                .put("seq", e.seq())
                .put("at", e.createdAt())
                .put("a", e.actorId())
                .put("m", e.messageId())
                .put("k", e.clientMsgId())
                .put("b", e.body())
                .put("r", e.replyTo())
                .put("rs", e.replySnippet())
                .put("del", e.deleted());
    }

    private static LogEntry.MessagePosted posted(JsonObject j) {
        return new LogEntry.MessagePosted(
                new EventHeader(
                        j.getString("c"), j.getLong("seq"), EventKind.MESSAGE, j.getLong("at"), j.getString("a")),
                j.getString("m"),
                j.getString("k"),
                j.getString("b"),
                j.getString("r"),
                j.getString("rs"),
                j.getBoolean("del"));
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    /** Sends forwarded to their owner, sends appended here after a forward failed, forwarded sends appended here. */
    public long forwarded() {
        return forwarded.get();
    }

    public long fallbacks() {
        return fallbacks.get();
    }

    public long served() {
        return served.get();
    }

    /**
     * Leaves the live nodes (the others route to this node no more within a heartbeat) and appends every send still
     * waiting for an owner's answer here; forwarded sends that reach this node later are still served while its
     * store is open (it closes after this), and answered with a refusal once it is closed.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        heartbeat.cancel();
        try {
            redis.commands().zrem(nodesKey, nodeId).toCompletableFuture().get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("leaving the live nodes in Redis failed (they drop this node within {}): {}", TTL, e.toString());
        }
        for (Long id : List.copyOf(pending.keySet())) {
            fallBack(id, "this node is stopping");
        }
    }
}
