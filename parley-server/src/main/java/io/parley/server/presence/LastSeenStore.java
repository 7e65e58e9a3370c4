package io.parley.server.presence;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Where the embedded default keeps last seen across restarts (the store; in a cluster Redis keeps it). Times are epoch
 * milliseconds.
 */
public interface LastSeenStore {
    /** Stores each user's time unless a later one is stored; unknown users change nothing. Completes once durable. */
    CompletableFuture<Void> record(Map<String, Long> seen);

    /** The stored times of these users; users with none are absent. */
    CompletableFuture<Map<String, Long>> load(Collection<String> userIds);
}
