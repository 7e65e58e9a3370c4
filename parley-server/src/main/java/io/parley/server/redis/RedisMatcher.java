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
 * remembers. Blocks have no expiry but Redis may lose them (a restart without persistence): the store is their
 * source ({@link Matcher.StoredBlocks}), and the join script refuses to pair until a {@code blocks-loaded} marker
 * says they were copied in since Redis last started; this matcher then copies them and joins again.
 */
public final class RedisMatcher implements Matcher {
    private final RedisConnections redis;
    private final Settings settings;
    private final String prefix;
    private final StoredBlocks stored;

    /** Blocks copied to Redis per script call. */
    private static final int BLOCKS_CHUNK = 500;

    public RedisMatcher(RedisConnections redis, Settings settings, StoredBlocks stored) {
        this.redis = redis;
        this.stored = stored;
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
        return joinOnce(ticket, conversationId, alias, partnerAlias)
                .thenCompose(r -> r != null
                        ? CompletableFuture.completedFuture(r)
                        : loadBlocks()
                                .thenCompose(x -> joinOnce(ticket, conversationId, alias, partnerAlias))
                                .thenApply(again -> {
                                    if (again == null) {
                                        throw new IllegalStateException(
                                                "Redis lost the blocks again while loading them");
                                    }
                                    return again;
                                }));
    }

    /** Copies the stored blocks into Redis, in chunks, the last one setting the marker. */
    private CompletableFuture<Void> loadBlocks() {
        return stored.load().thenCompose(blocks -> {
            List<String> flat = new java.util.ArrayList<>();
            blocks.forEach((u, set) -> set.forEach(b -> {
                flat.add(u);
                flat.add(b);
            }));
            CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
            int chunk = 2 * BLOCKS_CHUNK;
            for (int from = 0; from < Math.max(1, flat.size()); from += chunk) {
                List<String> part = flat.subList(Math.min(from, flat.size()), Math.min(from + chunk, flat.size()));
                boolean last = from + chunk >= flat.size();
                done = done.thenCompose(x -> {
                    String[] args = new String[3 + part.size()];
                    args[0] = prefix;
                    args[1] = "";
                    args[2] = last ? "1" : "0";
                    for (int i = 0; i < part.size(); i++) {
                        args[3 + i] = part.get(i);
                    }
                    return redis.async()
                            .<Long>eval(MatchScripts.LOAD_BLOCKS, ScriptOutputType.INTEGER, new String[0], args)
                            .toCompletableFuture()
                            .thenApply(n -> null);
                });
            }
            return done;
        });
    }

    /** One run of the join script; null when it asked for the blocks first. */
    private CompletableFuture<JoinResult> joinOnce(
            Ticket ticket, String conversationId, String alias, String partnerAlias) {
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
                        case "load_blocks":
                            return null;
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
