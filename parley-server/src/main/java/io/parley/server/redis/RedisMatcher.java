package io.parley.server.redis;

import io.lettuce.core.ScriptOutputType;
import io.parley.server.match.Counts;
import io.parley.server.match.JoinResult;
import io.parley.server.match.Lock;
import io.parley.server.match.Matcher;
import io.parley.server.match.Pair;
import io.parley.server.match.Renewal;
import io.parley.server.match.Ticket;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The matcher of a cluster: the state in Redis under {@code {prefix}:match:}, each operation one Lua script
 * ({@link MatchScripts}), so two nodes can never pair the same user. Nothing is cached in the node: when Redis cannot
 * be reached every future fails (the service answers {@code unavailable}) and no pair is made from what a node
 * remembers.
 */
public final class RedisMatcher implements Matcher {
    private final RedisConnections redis;
    private final Settings settings;
    private final String prefix;

    public RedisMatcher(RedisConnections redis, Settings settings) {
        this.redis = redis;
        this.settings = settings;
        this.prefix = redis.key("match:");
    }

    private CompletableFuture<List<Object>> run(String script, String userId, String... more) {
        String[] args = new String[2 + more.length];
        args[0] = prefix;
        args[1] = userId;
        System.arraycopy(more, 0, args, 2, more.length);
        return redis.async()
                .<List<Object>>eval(script, ScriptOutputType.MULTI, new String[0], args)
                .toCompletableFuture();
    }

    private static String ms(java.time.Duration d) {
        return Long.toString(d.toMillis());
    }

    private static Optional<Pair> pair(String userId, List<Object> r, int from) {
        if (r.size() < from + 4) {
            return Optional.empty();
        }
        return Optional.of(
                new Pair(userId, (String) r.get(from), (String) r.get(from + 1), (String) r.get(from + 2), (String)
                        r.get(from + 3)));
    }

    @Override
    public CompletableFuture<Lock> lock(String userId, String sessionId, boolean takeover) {
        return run(
                        MatchScripts.LOCK,
                        userId,
                        sessionId,
                        ms(settings.lockTtl()),
                        takeover ? "1" : "0",
                        ms(settings.stateTtl()))
                .thenApply(r -> {
                    boolean held = ((Long) r.get(0)) == 1L;
                    String previous = (String) r.get(1);
                    return new Lock(held, held && !previous.isEmpty() ? previous : null);
                });
    }

    @Override
    public CompletableFuture<Renewal> renew(String userId, String sessionId) {
        return run(MatchScripts.RENEW, userId, sessionId, ms(settings.lockTtl()), ms(settings.stateTtl()))
                .thenApply(r ->
                        new Renewal(((Long) r.get(0)) == 1L, pair(userId, r, 1).orElse(null)));
    }

    @Override
    public CompletableFuture<Optional<Pair>> unlock(String userId, String sessionId) {
        return run(MatchScripts.UNLOCK, userId, sessionId, ms(settings.grace())).thenApply(r -> pair(userId, r, 0));
    }

    @Override
    public CompletableFuture<JoinResult> join(Ticket ticket, String conversationId, String alias, String partnerAlias) {
        String u = ticket.userId();
        return run(
                        MatchScripts.JOIN,
                        u,
                        ticket.sessionId(),
                        String.join(",", ticket.interests()),
                        ticket.language() == null ? "" : ticket.language(),
                        ticket.relaxed() ? "1" : "0",
                        conversationId,
                        alias,
                        partnerAlias,
                        ms(settings.stateTtl()),
                        Integer.toString(settings.maxScan()))
                .thenApply(r -> {
                    String outcome = (String) r.get(0);
                    switch (outcome) {
                        case "matched":
                            return new JoinResult(
                                    JoinResult.Outcome.MATCHED,
                                    new Pair(u, (String) r.get(1), conversationId, alias, partnerAlias));
                        case "paired":
                            return new JoinResult(
                                    JoinResult.Outcome.PAIRED, pair(u, r, 1).orElseThrow());
                        case "waiting":
                            return JoinResult.waiting();
                        case "not_locked":
                            return JoinResult.notLocked();
                        default:
                            throw new IllegalStateException("join script answered " + outcome);
                    }
                });
    }

    @Override
    public CompletableFuture<Boolean> leave(String userId) {
        return redis.async()
                .<Long>eval(MatchScripts.LEAVE, ScriptOutputType.INTEGER, new String[0], prefix, userId)
                .toCompletableFuture()
                .thenApply(n -> n > 0);
    }

    @Override
    public CompletableFuture<Optional<Pair>> end(String userId, boolean skip, boolean block) {
        return run(MatchScripts.END, userId, skip ? "1" : "0", block ? "1" : "0", ms(settings.skipCooldown()), "0")
                .thenApply(r -> pair(userId, r, 0));
    }

    @Override
    public CompletableFuture<Optional<Pair>> endIfAway(String userId) {
        return run(MatchScripts.END, userId, "0", "0", ms(settings.skipCooldown()), "1")
                .thenApply(r -> pair(userId, r, 0));
    }

    @Override
    public CompletableFuture<Optional<Pair>> pairOf(String userId) {
        return run(MatchScripts.PAIR, userId).thenApply(r -> pair(userId, r, 0));
    }

    @Override
    public CompletableFuture<Counts> counts() {
        return run(MatchScripts.COUNTS, "").thenApply(r -> new Counts((Long) r.get(0), (Long) r.get(1)));
    }

    /** The connections are the node's; nothing of its own to close. */
    @Override
    public void close() {}
}
