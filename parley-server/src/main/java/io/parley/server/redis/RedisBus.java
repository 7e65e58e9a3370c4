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
 * Cross-node fanout through Redis pub/sub: ONE publish per event (or signal) on the deployment's bus channel
 * ({@code {prefix}:bus}), which a node SUBSCRIBEs to in {@link #subscribe} (at start) and UNSUBSCRIBEs from when that
 * subscription is closed (at stop).
 *
 * <p>The message is a {@link BusEnvelope}: the header a receiving node needs (conversation, seq, kind, recipients),
 * then the frame exactly as clients receive it, encoded once at commit on the publishing node ({@link Delivery}). A
 * receiving node reads the header only: when none of the recipients has a session there it drops the message;
 * otherwise it hands the frame's bytes to its sessions, one task per event loop. The publishing node delivers to its
 * own sessions directly (no round trip through Redis) and ignores its own messages when they come back. A message to a
 * group of n members costs one PUBLISH and one receive per node, where it used to cost n of each; every node reads
 * every message's header, which is cheap for the handful of nodes one Redis serves.
 *
 * <p>Order: a node publishes in commit order on one connection and Redis delivers a channel's messages in order, so
 * per-conversation order holds for the events one node commits; events of one conversation committed on two nodes may
 * arrive in either order, and a session that sees a seq skip ahead holds it, then catches up from the store.
 *
 * <p>Loss: while Redis is down publishing fails fast (counted, logged) and sends still commit and are acked; when the
 * subscription connection comes back (Lettuce resubscribes by itself, {@link RedisConnections#onResubscribed}), the
 * bus calls the subscribed sink's {@link Sink#resync}.
 */
public final class RedisBus implements Bus {
    private static final Logger LOG = LoggerFactory.getLogger("io.parley.bus");

    private final RedisConnections redis;
    private final FrameCodec codec;
    private final String nodeId;
    private final String channel;
    private final Interest interest = new Interest();
    private final AtomicLong publishFailures = new AtomicLong();
    private volatile boolean closed;

    /** Hears nothing until {@link #subscribe}. */
    public RedisBus(RedisConnections redis, FrameCodec codec, String nodeId) {
        this.redis = redis;
        this.codec = codec;
        this.nodeId = nodeId;
        this.channel = redis.key("bus");
        redis.handle(channel, this::onMessage);
        redis.onResubscribed(() -> {
            Sink sink = interest.sink();
            if (sink != null) {
                sink.resync();
            }
        });
    }

    /**
     * SUBSCRIBEs to the bus channel and waits for Redis to confirm it (up to 10 s: at start-up, a node that cannot
     * hear the others must not start); closing the subscription stops delivery at once and UNSUBSCRIBEs.
     */
    @Override
    public Subscription subscribe(Sink sink) {
        Subscription s = interest.subscribe(sink, this::unsubscribe);
        try {
            redis.subscribe(channel).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            s.close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot subscribe to the Redis bus channel " + channel + ": " + e, e);
        }
        return s;
    }

    private void unsubscribe() {
        try {
            redis.unsubscribe(channel).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Nothing reaches the sink any more either way; a subscription Redis still holds ends with the connection.
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("unsubscribing from the Redis bus channel {} failed: {}", channel, e.toString());
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
        send(BusEnvelope.event(nodeId, event, new String(event.frame(), StandardCharsets.UTF_8)));
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
        send(BusEnvelope.signal(nodeId, signal.recipients(), new String(frame, StandardCharsets.UTF_8)));
    }

    private void send(String message) {
        redis.async().publish(channel, message).whenComplete((n, err) -> {
            if (err != null && publishFailures.incrementAndGet() % 1000 == 1) {
                LOG.warn(
                        "publishing to Redis failed ({} so far; sessions resync when it is back): {}",
                        publishFailures.get(),
                        err.toString());
            }
        });
    }

    private void onMessage(String from, String message) {
        BusEnvelope m;
        try {
            m = BusEnvelope.parse(message);
        } catch (RuntimeException e) {
            LOG.warn("ignoring malformed bus message on {}: {}", from, e.toString());
            return;
        }
        if (nodeId.equals(m.node())) {
            return; // our own publish: delivered locally already
        }
        Sink local = interest.sink();
        if (local == null) {
            return; // unsubscribed: a message already on its way when UNSUBSCRIBE was sent
        }
        List<String> here = null;
        for (String user : m.recipients()) {
            if (local.hasUser(user)) {
                if (here == null) {
                    here = new ArrayList<>(m.recipients().size());
                }
                here.add(user);
            }
        }
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
