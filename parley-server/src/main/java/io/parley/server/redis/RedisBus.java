package io.parley.server.redis;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.protocol.EventKind;
import io.parley.protocol.FrameCodec;
import io.parley.server.bus.Bus;
import io.parley.server.bus.Signal;
import io.parley.server.bus.Sink;
import io.parley.server.store.LogEvent;
import io.parley.server.wire.Frames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Cross-node fanout through Redis pub/sub, one channel per user ({@code {prefix}:u:<userId>}).
 *
 * <p>A node subscribes to the channels of the users who have a session on it, and only those: it receives exactly
 * the traffic its sessions need. Publishing an event costs one PUBLISH per recipient (pipelined on one connection);
 * the payload is serialised once, and it is the very text sent to clients, so a receiving node forwards it without
 * re-encoding. The publishing node delivers to its own sessions directly (no round trip through Redis) and ignores
 * its own messages when they come back.
 *
 * <p>Order: a node publishes in commit order on one connection and Redis delivers a connection's messages in order,
 * so per-conversation order holds for the events one node commits; events of one conversation committed on two nodes
 * may arrive in either order, and a session that sees a seq skip ahead catches up from the store (see Session).
 *
 * <p>Loss: while Redis is down publishing fails fast (counted, logged) and sends still commit and are acked; when the
 * subscription connection comes back, the node tells its sessions to resync ({@link #onResubscribed}).
 */
public final class RedisBus implements Bus {
    private static final Logger LOG = LoggerFactory.getLogger("io.parley.bus");

    private final RedisConnections redis;
    private final FrameCodec codec;
    private final String nodeId;
    private final String userChannelPrefix;
    private final Sink local;
    private final AtomicLong publishFailures = new AtomicLong();
    private volatile boolean closed;

    public RedisBus(RedisConnections redis, FrameCodec codec, String nodeId, Sink local) {
        this.redis = redis;
        this.codec = codec;
        this.nodeId = nodeId;
        this.local = local;
        this.userChannelPrefix = redis.key("u:");
        redis.handle(userChannelPrefix, this::onMessage);
    }

    /** A user has a session on this node now (first one): receive their traffic. */
    public java.util.concurrent.CompletableFuture<Void> userArrived(String userId) {
        return redis.subscribe(userChannelPrefix + userId);
    }

    /** The user's last session on this node ended. */
    public void userLeft(String userId) {
        redis.unsubscribe(userChannelPrefix + userId).whenComplete((v, err) -> {
            if (err != null) {
                LOG.debug("unsubscribe for {} failed: {}", userId, err.toString());
            }
        });
    }

    public long publishFailures() {
        return publishFailures.get();
    }

    @Override
    public void publish(LogEvent event) {
        if (closed) {
            return;
        }
        local.deliver(event);
        String text = codec.encodeToString(Frames.event(event));
        fanout(event.recipients(), "E" + nodeId + "|" + text);
    }

    @Override
    public void publish(Signal signal) {
        if (closed) {
            return;
        }
        local.deliver(signal);
        fanout(signal.recipients(), "S" + nodeId + "|" + codec.encodeToString(signal.frame()));
    }

    private void fanout(List<String> recipients, String payload) {
        for (String user : recipients) {
            redis.async().publish(userChannelPrefix + user, payload).whenComplete((n, err) -> {
                if (err != null && publishFailures.incrementAndGet() % 1000 == 1) {
                    LOG.warn("publishing to Redis failed ({} so far; sessions resync when it is back): {}",
                            publishFailures.get(), err.toString());
                }
            });
        }
    }

    private void onMessage(String channel, String message) {
        int bar = message.indexOf('|');
        if (bar < 2) {
            LOG.warn("ignoring malformed bus message on {}", channel);
            return;
        }
        if (message.regionMatches(1, nodeId, 0, bar - 1) && bar - 1 == nodeId.length()) {
            return; // our own publish: delivered locally already
        }
        String userId = channel.substring(userChannelPrefix.length());
        String text = message.substring(bar + 1);
        if (message.charAt(0) == 'S') {
            local.sendTo(userId, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return;
        }
        try {
            JsonNode n = codec.mapper().readTree(text);
            JsonNode member = n.get("memberId");
            LogEvent e = LogEvent.basic(n.get("conversationId").textValue(), n.get("seq").longValue(),
                    EventKind.fromWire(n.get("kind").textValue()),
                    java.time.Instant.parse(n.get("createdAt").textValue()).toEpochMilli(), null,
                    member == null ? null : member.textValue(), null, null, List.of(userId));
            local.deliverEncoded(userId, e, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (Exception e) {
            LOG.warn("ignoring undecodable bus event on {}: {}", channel, e.toString());
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
