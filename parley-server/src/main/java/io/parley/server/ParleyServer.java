package io.parley.server;

import io.parley.protocol.CloseCodes;
import io.parley.server.config.Config;
import io.parley.server.gateway.Session;
import io.parley.server.presence.PresenceHub;
import io.parley.server.store.ChatStore;
import io.parley.server.time.Scheduler;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One Parley node: store, bus, sessions, WebSocket gateway and REST API on one HTTP port, served by one HTTP server
 * per event loop. {@link #start} completes when the port is bound; {@link #stop} drains and releases everything.
 * {@link NodeBuilder} creates the parts, each owned by the node's {@link Lifecycle} from the moment it exists.
 */
public final class ParleyServer {
    /** Longest wait for sessions' in-flight sends during a graceful stop. */
    static final long DRAIN_TIMEOUT_MILLIS = 5_000;
    /** How long the close frames get to leave before the event loops stop. */
    static final long CLOSE_FRAMES_MILLIS = 300;

    private final NodeBuilder.Node node;
    private volatile boolean stopped;

    ParleyServer(NodeBuilder.Node node) {
        this.node = node;
    }

    /**
     * Builds and starts a node. Blocking parts (migrations, secret file) run on the calling thread, not a loop. When
     * the start fails, the future fails once every part created so far is closed again.
     */
    public static Future<ParleyServer> start(Config config) {
        return start(config, (Scheduler) null);
    }

    /**
     * As {@link #start(Config)}, with every part that waits timed by {@code scheduler} (tests: a manual scheduler, so
     * they move the node's time on instead of sleeping). Null: production time, the system clock, a named thread per
     * part and Vert.x timers for the WebSocket face.
     */
    public static Future<ParleyServer> start(Config config, Scheduler scheduler) {
        return start(config, scheduler, step -> {});
    }

    /** As {@link #start(Config, Scheduler)}, calling {@code afterStep} after each of {@link NodeBuilder#STEPS}. */
    static Future<ParleyServer> start(Config config, Scheduler scheduler, Consumer<String> afterStep) {
        return new NodeBuilder(config, scheduler, afterStep).start();
    }

    public int port() {
        return node.port();
    }

    public Config config() {
        return node.config();
    }

    public ChatStore store() {
        return node.store();
    }

    public PresenceHub presenceHub() {
        return node.presenceHub();
    }

    /** The node's attachment rules (tests run the collector through it). */
    public io.parley.server.attach.Attachments attachments() {
        return node.attachments();
    }

    /** The node's metrics, as /metrics serves them. */
    public String metricsText() {
        return node.metrics().scrape();
    }

    /** Sessions connected to this node. */
    public int sessionCount() {
        return node.registry().size();
    }

    /** True from the start of {@link #stop}: /health/ready answers 503 so load balancers stop routing here. */
    /** The window over which a stopping node closes its sessions (1001), so their reconnects are spread. */
    static final long RECONNECT_SPREAD_MILLIS = 1000;

    public boolean stopping() {
        return stopped;
    }

    /**
     * Graceful stop: refuse new connections, close sessions with 1001 (clients reconnect elsewhere and resume),
     * commit queued writes, release the store and the event loops. Idempotent. Completes exceptionally, with each
     * part's close failure suppressed, when a part failed to close; the other parts are closed all the same.
     */
    public CompletableFuture<Void> stop() {
        if (stopped) {
            return CompletableFuture.completedFuture(null);
        }
        stopped = true;
        node.stopping().set(true);
        node.gateway().stopAccepting();
        // Each session stops reading, waits for its in-flight sends to commit and their acks to go out, then closes
        // with 1001 (clients reconnect, to another node behind a load balancer, and resume). Bounded by DRAIN_TIMEOUT:
        // a send still uncommitted then is not acked, and its client retries it.
        // The closes are spread evenly over RECONNECT_SPREAD_MILLIS, so the node's clients come back to the other nodes
        // as a spread wave, not all in one instant (by then the balancer's 1 s health check has seen this node's 503).
        Scheduler shutdownTimer = node.timers().thread("parley-shutdown");
        List<Session> sessions = List.copyOf(node.registry().all());
        CompletableFuture<?>[] drained = new CompletableFuture<?>[sessions.size()];
        for (int i = 0; i < sessions.size(); i++) {
            Session s = sessions.get(i);
            long delay = sessions.size() <= 1 ? 0 : RECONNECT_SPREAD_MILLIS * i / sessions.size();
            CompletableFuture<Void> one = new CompletableFuture<>();
            drained[i] = one;
            Runnable close = () -> s.drainAndClose(CloseCodes.GOING_AWAY, "server shutting down; reconnect")
                    .whenComplete((v, err) -> one.complete(null));
            if (delay == 0) {
                close.run();
            } else {
                shutdownTimer.after(Duration.ofMillis(delay), close);
            }
        }
        CompletableFuture<Void> allDrained = new CompletableFuture<>();
        CompletableFuture.allOf(drained).whenComplete((v, err) -> allDrained.complete(null));
        Scheduler.Cancellable drainTimeout =
                shutdownTimer.after(Duration.ofMillis(DRAIN_TIMEOUT_MILLIS), () -> allDrained.complete(null));
        // Give the close frames a moment to leave before the event loops stop. The parts are closed on a plain thread
        // of their own: Vert.x cannot be closed from one of its event loops, and the shutdown timer is a part too.
        return allDrained
                .thenCompose(v -> {
                    drainTimeout.cancel();
                    CompletableFuture<Void> closeFramesOut = new CompletableFuture<>();
                    shutdownTimer.after(Duration.ofMillis(CLOSE_FRAMES_MILLIS), () -> closeFramesOut.complete(null));
                    return closeFramesOut;
                })
                .thenRunAsync(node.lifecycle()::close, task -> new Thread(task, "parley-stop").start());
    }
}
