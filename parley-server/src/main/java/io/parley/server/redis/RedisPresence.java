package io.parley.server.redis;

import io.lettuce.core.ScriptOutputType;
import io.parley.server.presence.Presence;
import io.parley.server.presence.PresenceState;
import io.parley.server.time.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presence of the whole cluster in Redis. Per user a sorted set of session ids scored by expiry time; one sorted set
 * of online users scored by their latest session expiry (what the sweep scans); one hash of last-seen times.
 * Transitions happen inside Lua scripts (atomic, Redis server time), which publish them on one channel that every
 * node listens to. Every node sweeps expired users every ttl/4; the scripts make sure each transition is published
 * once whichever node sweeps.
 */
public final class RedisPresence implements Presence {
    private static final Logger LOG = LoggerFactory.getLogger("io.parley.presence");

    private static final String NOW = "local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000) "
            + "local function fmt(x) return string.format('%.0f', x) end ";

    /** KEYS: user sessions, online set. ARGV: session, ttl ms, user, channel. Online transition: 1. */
    private static final String CONNECT = NOW
            + "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', fmt(now)) "
            + "local before = redis.call('ZCARD', KEYS[1]) "
            + "local exp = now + tonumber(ARGV[2]) "
            + "redis.call('ZADD', KEYS[1], fmt(exp), ARGV[1]) "
            + "redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2) "
            + "redis.call('ZADD', KEYS[2], 'GT', fmt(exp), ARGV[3]) "
            + "if before == 0 then redis.call('PUBLISH', ARGV[4], '1||' .. ARGV[3]) return 1 end "
            + "return 0";

    /** KEYS: user sessions, online set, last seen. ARGV: session, user, channel. Offline transition: 1. */
    private static final String DISCONNECT = NOW
            + "local removed = redis.call('ZREM', KEYS[1], ARGV[1]) "
            + "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', fmt(now)) "
            + "if removed == 1 and redis.call('ZCARD', KEYS[1]) == 0 then "
            + "  redis.call('ZREM', KEYS[2], ARGV[2]) "
            + "  redis.call('HSET', KEYS[3], ARGV[2], fmt(now)) "
            + "  redis.call('PUBLISH', ARGV[3], '0|' .. fmt(now) .. '|' .. ARGV[2]) return 1 end "
            + "return 0";

    /**
     * KEYS: online set, last seen. ARGV: user-key prefix, channel, ttl. Users whose sessions all expired go offline
     * with lastSeen = their last refresh (expiry - ttl). Returns how many users were examined.
     */
    private static final String SWEEP = NOW
            + "local users = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', fmt(now), 'LIMIT', 0, 500) "
            + "for _, u in ipairs(users) do "
            + "  local k = ARGV[1] .. u "
            + "  redis.call('ZREMRANGEBYSCORE', k, '-inf', fmt(now)) "
            + "  local left = redis.call('ZRANGE', k, -1, -1, 'WITHSCORES') "
            + "  if #left == 0 then "
            + "    local seen = tonumber(redis.call('ZSCORE', KEYS[1], u)) - tonumber(ARGV[3]) "
            + "    redis.call('ZREM', KEYS[1], u) "
            + "    redis.call('HSET', KEYS[2], u, fmt(seen)) "
            + "    redis.call('PUBLISH', ARGV[2], '0|' .. fmt(seen) .. '|' .. u) "
            + "  else redis.call('ZADD', KEYS[1], left[2], u) end "
            + "end "
            + "return #users";

    /** KEYS: last seen. ARGV: user-key prefix, users... Per user: "online", "" (never seen) or last seen ms. */
    private static final String LOOKUP = NOW
            + "local out = {} "
            + "for i = 2, #ARGV do "
            + "  local u = ARGV[i] "
            + "  if redis.call('ZCOUNT', ARGV[1] .. u, '(' .. fmt(now), '+inf') > 0 then out[#out + 1] = 'online' "
            + "  else out[#out + 1] = redis.call('HGET', KEYS[1], u) or '' end "
            + "end "
            + "return out";

    /** KEYS: typing key. ARGV: active (1/0), interval ms, ttl ms. Granted: 1. */
    private static final String TYPING = NOW
            + "local v = redis.call('GET', KEYS[1]) "
            + "if ARGV[1] == '1' then "
            + "  if v then local started = tonumber(string.match(v, '^(%d+)')) "
            + "    if now - started < tonumber(ARGV[2]) then return 0 end end "
            + "  redis.call('SET', KEYS[1], fmt(now) .. '|0', 'PX', math.max(tonumber(ARGV[2]), tonumber(ARGV[3]))) "
            + "  return 1 "
            + "end "
            + "if not v then return 0 end "
            + "local started, stopped = string.match(v, '^(%d+)|(%d)$') "
            + "if stopped == '1' or now - tonumber(started) >= tonumber(ARGV[3]) then return 0 end "
            + "redis.call('SET', KEYS[1], started .. '|1', 'KEEPTTL') "
            + "return 1";

    private final RedisConnections redis;
    private final long ttlMillis;
    private final String channel;
    private final String userPrefix;
    private final String onlineKey;
    private final String lastSeenKey;
    private final List<Consumer<PresenceState>> listeners = new CopyOnWriteArrayList<>();
    private final Scheduler.Cancellable sweeping;

    /** Sweeps on {@code scheduler}'s thread (expiry itself is Redis's, on Redis's clock); the scheduler stays the caller's. */
    public RedisPresence(RedisConnections redis, long ttlMillis, Scheduler scheduler) {
        this.redis = redis;
        this.ttlMillis = ttlMillis;
        this.channel = redis.key("presence");
        this.userPrefix = redis.key("ps:");
        this.onlineKey = redis.key("online");
        this.lastSeenKey = redis.key("lastseen");
        redis.handle(channel, (ch, message) -> onMessage(message));
        redis.subscribe(channel).join();
        this.sweeping = scheduler.every(Duration.ofMillis(Presence.sweepPeriodMillis(ttlMillis)), this::sweep);
    }

    @Override
    public CompletableFuture<Void> connected(String userId, String sessionId) {
        return redis.async()
                .<Long>eval(
                        CONNECT,
                        ScriptOutputType.INTEGER,
                        new String[] {userPrefix + userId, onlineKey},
                        sessionId,
                        Long.toString(ttlMillis),
                        userId,
                        channel)
                .toCompletableFuture()
                .thenApply(x -> null);
    }

    @Override
    public CompletableFuture<Void> disconnected(String userId, String sessionId) {
        return redis.async()
                .<Long>eval(
                        DISCONNECT,
                        ScriptOutputType.INTEGER,
                        new String[] {userPrefix + userId, onlineKey, lastSeenKey},
                        sessionId,
                        userId,
                        channel)
                .toCompletableFuture()
                .thenApply(x -> null);
    }

    /** A refresh re-registers each session: one whose entry expired (Redis was unreachable) comes back online. */
    @Override
    public CompletableFuture<Void> refresh(Map<String, String> sessions) {
        List<CompletableFuture<Void>> all = new ArrayList<>(sessions.size());
        // Lettuce pipelines these: one round trip's worth of latency for the whole batch.
        sessions.forEach((sessionId, userId) -> all.add(connected(userId, sessionId)));
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    @Override
    public CompletableFuture<Map<String, PresenceState>> lookup(Collection<String> userIds) {
        List<String> users = List.copyOf(new java.util.LinkedHashSet<>(userIds));
        if (users.isEmpty()) {
            return CompletableFuture.completedFuture(Map.of());
        }
        String[] args = new String[users.size() + 1];
        args[0] = userPrefix;
        for (int i = 0; i < users.size(); i++) {
            args[i + 1] = users.get(i);
        }
        return redis.async()
                .<List<Object>>eval(LOOKUP, ScriptOutputType.MULTI, new String[] {lastSeenKey}, args)
                .toCompletableFuture()
                .thenApply(values -> {
                    Map<String, PresenceState> out = new LinkedHashMap<>();
                    for (int i = 0; i < users.size(); i++) {
                        String v = String.valueOf(values.get(i));
                        String u = users.get(i);
                        out.put(
                                u,
                                v.equals("online")
                                        ? new PresenceState(u, true, null)
                                        : new PresenceState(u, false, v.isEmpty() ? null : Long.parseLong(v)));
                    }
                    return out;
                });
    }

    @Override
    public void listen(Consumer<PresenceState> listener) {
        listeners.add(listener);
    }

    @Override
    public CompletableFuture<Boolean> tryTyping(
            String conversationId, String userId, boolean active, long intervalMillis, long ttlMillis) {
        String key = redis.key("ty:" + conversationId.length() + ":" + conversationId + ":" + userId);
        return redis.async()
                .<Long>eval(
                        TYPING,
                        ScriptOutputType.INTEGER,
                        new String[] {key},
                        active ? "1" : "0",
                        Long.toString(intervalMillis),
                        Long.toString(ttlMillis))
                .toCompletableFuture()
                .thenApply(n -> n == 1L);
    }

    private void sweep() {
        redis.async()
                .<Long>eval(
                        SWEEP,
                        ScriptOutputType.INTEGER,
                        new String[] {onlineKey, lastSeenKey},
                        userPrefix,
                        channel,
                        Long.toString(ttlMillis))
                .whenComplete((n, err) -> {
                    if (err != null) {
                        LOG.debug("presence sweep failed (Redis unreachable?): {}", err.toString());
                    }
                });
    }

    /** "1||user" (online) or "0|lastSeen|user" (offline); the user id comes last so it may contain '|'. */
    private void onMessage(String message) {
        int a = message.indexOf('|');
        int b = message.indexOf('|', a + 1);
        if (a != 1 || b < 0) {
            LOG.warn("ignoring malformed presence message: {}", message);
            return;
        }
        String user = message.substring(b + 1);
        boolean online = message.charAt(0) == '1';
        PresenceState s = new PresenceState(user, online, online ? null : Long.parseLong(message.substring(a + 1, b)));
        for (Consumer<PresenceState> l : listeners) {
            try {
                l.accept(s);
            } catch (RuntimeException e) {
                LOG.warn("presence listener failed for {}", user, e);
            }
        }
    }

    @Override
    public void close() {
        sweeping.cancel();
    }
}
