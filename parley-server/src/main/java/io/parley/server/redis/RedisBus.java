package io.parley.server.redis;

import io.parley.protocol.FrameCodec;
import io.parley.server.bus.Bus;
import io.parley.server.bus.Delivery;
import io.parley.server.bus.Interest;
import io.parley.server.bus.Signal;
import io.parley.server.bus.Sink;
import io.parley.server.bus.Subscription;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cross-node fanout through Redis sharded pub/sub: ONE publish (SPUBLISH) per event (or signal) on one of the
 * deployment's {@value #SHARDS} bus channels ({@code {prefix:bus:0}} .. {@code {prefix:bus:15}}), each with a hash tag
 * of its own so that on a Redis Cluster they spread over the slots, hence over the masters. An event goes to the shard
 * of its conversation, so one conversation's events share one channel (and one master) and keep their order; a signal
 * goes to the shard of its first recipient. A node SSUBSCRIBEs to every shard in {@link #subscribe} (at start) and
 * SUNSUBSCRIBEs when that subscription is closed (at stop). On one Redis the shards are plain channels of that Redis
 * (Redis 7 serves sharded pub/sub standalone too); on a cluster an SPUBLISH costs one hop to its slot's master and
 * reaches only that master's subscribers, where a PUBLISH would be copied to every node of the cluster. Why every
 * node hears every shard rather than only the conversations its sessions are in: docs/architecture.md, "Why every
 * node hears every shard".
 *
 * <p>The message is a {@link BusEnvelope}: the header a receiving node needs (conversation, seq, kind, recipients),
 * then the frame exactly as clients receive it, encoded once at commit on the publishing node ({@link Delivery}). A
 * receiving node reads the header only: when none of the recipients has a session there it drops the message;
 * otherwise it hands the frame's bytes to its sessions, one task per event loop. The publishing node delivers to its
 * own sessions directly (no round trip through Redis) and ignores its own messages when they come back. A message to a
 * group of n members costs one SPUBLISH and one receive per node, where it used to cost n of each; every node reads
 * every message's header, which is cheap for the handful of nodes one Redis serves.
 *
 * <p>Order: a node publishes in commit order, a conversation always on the same channel (on a cluster through the one
 * connection to that channel's master), and Redis delivers a channel's messages in order, so per-conversation order
 * holds for the events one node commits; events of one conversation committed on two nodes may
 * arrive in either order, and a session that sees a seq skip ahead holds it, then catches up from the store.
 *
 * <p>Loss: while Redis is down publishing fails fast (counted, logged) and sends still commit and are acked; when the
 * subscription connection comes back (Lettuce resubscribes by itself), or when Redis dropped a shard's subscription
 * because the cluster moved its slot or failed its master over and {@link RedisConnections} subscribed it again
 * ({@link RedisConnections#onResubscribed} in both cases), the bus calls the subscribed sink's {@link Sink#resync}.
 */
public final class RedisBus implements Bus {
    private static final Logger LOG = LoggerFactory.getLogger("io.parley.bus");

    private final RedisConnections redis;
    private final FrameCodec codec;
    private final String nodeId;
    /** How many bus channels; a conversation's shard is fixed by its id, so this never changes between versions. */
    static final int SHARDS = 16;
    /** The most events one batch message carries. */
    static final int MAX_BATCH_EVENTS = 1000;
    /** Roughly the most frame characters one batch message carries (one larger frame still goes, alone). */
    static final int MAX_BATCH_CHARS = 512 * 1024;

    private final String[] channels = new String[SHARDS];
    private final Interest interest = new Interest();
    private final AtomicLong publishFailures = new AtomicLong();
    private volatile boolean closed;

    /** Hears nothing until {@link #subscribe}. */
    public RedisBus(RedisConnections redis, FrameCodec codec, String nodeId) {
        this.redis = redis;
        this.codec = codec;
        this.nodeId = nodeId;
        for (int i = 0; i < SHARDS; i++) {
            channels[i] = redis.shardChannel("bus", i);
        }
        redis.handle(channels[0].substring(0, channels[0].lastIndexOf(':') + 1), this::onMessage);
        redis.onResubscribed(() -> {
            Sink sink = interest.sink();
            if (sink != null) {
                sink.resync();
            }
        });
    }

    /**
     * SSUBSCRIBEs to every bus channel and waits for Redis to confirm it (up to 10 s: at start-up, a node that cannot
     * hear the others must not start); closing the subscription stops delivery at once and UNSUBSCRIBEs.
     */
    @Override
    public Subscription subscribe(Sink sink) {
        Subscription s = interest.subscribe(sink, this::unsubscribe);
        try {
            redis.ssubscribe(channels).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            s.close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException(
                    "cannot subscribe to the Redis bus channels " + channels[0] + "..: " + e, e);
        }
        return s;
    }

    private void unsubscribe() {
        try {
            redis.sunsubscribe(channels).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Nothing reaches the sink any more either way; a subscription Redis still holds ends with the connection.
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("unsubscribing from the Redis bus channels {}.. failed: {}", channels[0], e.toString());
        }
    }

    public long publishFailures() {
        return publishFailures.get();
    }

    @Override
    public void publish(Delivery event) {
        if (closed) {
            return;
        }
        Sink local = interest.sink();
        if (local != null) {
            local.deliver(event);
        }
        send(
                shard(event.header().conversationId()),
                BusEnvelope.event(nodeId, event, new String(event.frame(), StandardCharsets.UTF_8)));
    }

    /**
     * A run of one conversation's events with the same recipients: each to the local sink in order, then as few bus
     * messages as {@link #MAX_BATCH_EVENTS} and {@link #MAX_BATCH_CHARS} allow, each with the recipients once
     * (a group of 10,000 made in one request: a handful of messages of a few hundred KiB, not 10,001 of 120 KiB each,
     * which would pass Redis's pub/sub output limit and cost the other nodes their subscription).
     */
    @Override
    public void publish(List<Delivery> run) {
        if (closed || run.isEmpty()) {
            return;
        }
        Sink local = interest.sink();
        if (local != null) {
            local.deliver(run);
        }
        String channel = shard(run.get(0).header().conversationId());
        List<Delivery> chunk = new ArrayList<>();
        List<String> frames = new ArrayList<>();
        long chars = 0;
        for (Delivery d : run) {
            String frame = new String(d.frame(), StandardCharsets.UTF_8);
            if (!chunk.isEmpty() && (chunk.size() >= MAX_BATCH_EVENTS || chars + frame.length() > MAX_BATCH_CHARS)) {
                send(channel, BusEnvelope.batch(nodeId, chunk, frames));
                chunk = new ArrayList<>();
                frames = new ArrayList<>();
                chars = 0;
            }
            chunk.add(d);
            frames.add(frame);
            chars += frame.length();
        }
        send(channel, BusEnvelope.batch(nodeId, chunk, frames));
    }

    @Override
    public void publish(Signal signal) {
        if (closed) {
            return;
        }
        byte[] frame = codec.encode(signal.frame());
        Sink local = interest.sink();
        if (local != null) {
            local.sendTo(signal.recipients(), frame);
        }
        send(
                shard(signal.recipients().isEmpty() ? "" : signal.recipients().get(0)),
                BusEnvelope.signal(nodeId, signal.recipients(), new String(frame, StandardCharsets.UTF_8)));
    }

    /** The bus channel of a conversation (or user): fixed by the id, so one conversation keeps one channel. */
    String shard(String id) {
        return channels[Math.floorMod(id.hashCode(), SHARDS)];
    }

    private void send(String channel, String message) {
        redis.spublish(channel, message).whenComplete((n, err) -> {
            if (err != null && publishFailures.incrementAndGet() % 1000 == 1) {
                LOG.warn(
                        "publishing to Redis failed ({} so far; sessions resync when it is back): {}",
                        publishFailures.get(),
                        err.toString());
            }
        });
    }

    private void onMessage(String from, String message) {
        List<BusEnvelope> all;
        try {
            all = BusEnvelope.parseAll(message);
        } catch (RuntimeException e) {
            LOG.warn("ignoring malformed bus message on {}: {}", from, e.toString());
            return;
        }
        if (all.isEmpty() || nodeId.equals(all.get(0).node())) {
            return; // our own publish: delivered locally already
        }
        BusEnvelope m = all.get(0);
        if (all.size() > 1) {
            Sink local = interest.sink();
            List<String> here = local == null ? null : localRecipients(local, m.recipients());
            if (here != null) {
                List<Delivery> run = new ArrayList<>(all.size());
                for (BusEnvelope e : all) {
                    run.add(e.toDelivery(here, e.frame().getBytes(StandardCharsets.UTF_8)));
                }
                local.deliver(run);
            }
            return;
        }
        onOne(m);
    }

    /** The recipients with a session on this node, or null when none has. */
    private static List<String> localRecipients(Sink local, List<String> recipients) {
        List<String> here = null;
        for (String user : recipients) {
            if (local.hasUser(user)) {
                if (here == null) {
                    here = new ArrayList<>(recipients.size());
                }
                here.add(user);
            }
        }
        return here;
    }

    private void onOne(BusEnvelope m) {
        if (nodeId.equals(m.node())) {
            return; // our own publish: delivered locally already
        }
        Sink local = interest.sink();
        if (local == null) {
            return; // unsubscribed: a message already on its way when UNSUBSCRIBE was sent
        }
        List<String> here = localRecipients(local, m.recipients());
        if (here == null) {
            return;
        }
        byte[] frame = m.frame().getBytes(StandardCharsets.UTF_8);
        if (m.type() == BusEnvelope.SIGNAL) {
            local.sendTo(here, frame);
        } else {
            local.deliver(m.toDelivery(here, frame));
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
