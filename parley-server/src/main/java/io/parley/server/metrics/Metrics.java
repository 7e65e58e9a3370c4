package io.parley.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The node's metrics, served at {@code /metrics} in the Prometheus text format (docs/operations.md lists them).
 * One instance per node, passed to the parts that count; recording never blocks. Parley's own meters are named
 * {@code parley_*}; the JVM and process meters keep Micrometer's standard names ({@code jvm_*}, {@code process_*}),
 * which stock JVM dashboards and alerts expect.
 */
public final class Metrics {
    /**
     * The histogram buckets of every Parley timer, chosen for chat latencies: 15 bounds from 1 ms to 60 s (and
     * +Inf), so p50 and p99 are readable from 1 ms deliveries to a week-old client's resume, the alert thresholds
     * (200 ms, 10 s, 30 s) are bucket bounds, and a scrape stays small (Micrometer's percentile histogram had
     * about 70 buckets per timer).
     */
    static final Duration[] BUCKETS = {
        Duration.ofMillis(1),
        Duration.ofMillis(2),
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(20),
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(200),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofSeconds(2),
        Duration.ofSeconds(5),
        Duration.ofSeconds(10),
        Duration.ofSeconds(30),
        Duration.ofSeconds(60)
    };

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Counter delivered;
    private final Counter replayed;
    private final Counter sendsAcked;
    private final Timer deliveryLatency;
    private final Timer commit;
    private final Timer sync;
    private final Timer presenceLag;
    private final Timer searchIndexLag;
    private final Counter presenceUpdates;
    private final Counter slowConsumers;

    public Metrics() {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        delivered = Counter.builder("parley.messages.delivered")
                .description("events written live to WebSocket sessions")
                .register(registry);
        replayed = Counter.builder("parley.messages.replayed")
                .description("events written to sessions while resuming")
                .register(registry);
        sendsAcked = Counter.builder("parley.messages.acked")
                .description("sends acknowledged after their durable commit")
                .register(registry);
        deliveryLatency = Timer.builder("parley.message.delivery.latency")
                .description("time from a message's creation (before its commit) to its write to a recipient's socket")
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
        commit = Timer.builder("parley.message.store.commit")
                .description("duration of one group commit (a batch of writes)")
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
        sync = Timer.builder("parley.offline.sync.duration")
                .description("from a client's sync to its synced marker")
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
        presenceLag = Timer.builder("parley.presence.update.lag")
                .description("from a presence change reaching this node to its delivery to the local users who see it")
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
        searchIndexLag = Timer.builder("parley.search.index.lag")
                .description(
                        "from a message's creation, edit or deletion to the commit of the index batch that took it")
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
        presenceUpdates = Counter.builder("parley.presence.updates")
                .description("presence entries delivered to sessions' users")
                .register(registry);
        slowConsumers = Counter.builder("parley.websocket.slow.consumers")
                .description("sessions closed with 4008 because their outbound queue was full")
                .register(registry);
    }

    /**
     * Registers the gauge of open, authenticated WebSocket sessions, and the capacity they are measured against
     * ({@code ws.max-connections}, or the estimate from the heap when that is 0: see {@link #heapCapacity}), so that
     * "connections above 80% of capacity" is one division in Prometheus.
     */
    public void connections(Supplier<Number> active, long capacity) {
        Gauge.builder("parley.websocket.connections.active", active)
                .description("authenticated WebSocket sessions on this node")
                .register(registry);
        Gauge.builder("parley.websocket.connections.capacity", () -> capacity)
                .description(
                        "WebSocket sessions this node is sized for (ws.max-connections, or estimated from the heap)")
                .register(registry);
    }

    private volatile Supplier<Number> routingForwarded = () -> 0;
    private volatile Supplier<Number> routingFallbacks = () -> 0;
    private volatile Supplier<Number> routingServed = () -> 0;

    {
        routingCounter(
                "parley.routing.forwarded",
                () -> routingForwarded.get(),
                "sends forwarded to the node owning their conversation (redis.route-writes)");
        routingCounter(
                "parley.routing.fallbacks",
                () -> routingFallbacks.get(),
                "forwarded sends appended by this node after all (no owner answered in time, or it failed)");
        routingCounter("parley.routing.served", () -> routingServed.get(), "sends other nodes forwarded to this one");
    }

    /**
     * A cluster's write routing (redis.WriteRouting): sends this node forwarded to the node owning their
     * conversation's writes, forwarded sends it appended itself after all (owner gone, slow or failing), and sends
     * other nodes forwarded to it. Until this is called (no routing) the three counters stay 0.
     */
    public void writeRouting(Supplier<Number> forwarded, Supplier<Number> fallbacks, Supplier<Number> served) {
        routingForwarded = forwarded;
        routingFallbacks = fallbacks;
        routingServed = served;
    }

    private void routingCounter(String name, Supplier<Number> value, String description) {
        io.micrometer.core.instrument.FunctionCounter.builder(
                        name, value, v -> v.get().doubleValue())
                .description(description)
                .register(registry);
    }

    /**
     * The sessions a heap of {@code maxHeapBytes} holds by the sizing rule of docs/operations.md ("Memory"): 64 MiB
     * for the node itself, then 5 KiB per connection (about twice the measured 2.7 KiB of live heap, for the
     * collector's headroom). At least 1, so a ratio against it is always defined.
     */
    public static long heapCapacity(long maxHeapBytes) {
        return Math.max(1, (maxHeapBytes - 64L * 1024 * 1024) / (5 * 1024));
    }

    public void delivered(long createdAtMillis, long nowMillis) {
        delivered.increment();
        deliveryLatency.record(Math.max(0, nowMillis - createdAtMillis), TimeUnit.MILLISECONDS);
    }

    public void replayed(int events) {
        replayed.increment(events);
    }

    public void acked() {
        sendsAcked.increment();
    }

    public void committed(long nanos) {
        commit.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void synced(long millis) {
        sync.record(millis, TimeUnit.MILLISECONDS);
    }

    /** A presence change delivered {@code millis} after it reached this node. */
    public void presenceLag(long millis) {
        presenceLag.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
    }

    /** A message indexed {@code millis} after its last change. */
    public void searchIndexLag(long millis) {
        searchIndexLag.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
    }

    public void presenceUpdates(int n) {
        presenceUpdates.increment(n);
    }

    public void slowConsumer() {
        slowConsumers.increment();
    }

    private final java.util.Map<String, Counter> rateLimited = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Map<String, Counter> admissionRefused = new java.util.concurrent.ConcurrentHashMap<>();

    {
        // Every limit's and every admission reason's series is served from the start (at 0), so dashboards and
        // alerts see them before the first refusal.
        for (String limit : java.util.List.of(
                "send",
                "typing",
                "presence",
                "receipts",
                "edits",
                "reactions",
                "rest",
                "login-address",
                "login-username")) {
            rateLimitedCounter(limit);
        }
        for (String reason : java.util.List.of("max-connections", "connect-rate")) {
            admissionRefusedCounter(reason);
        }
    }

    private Counter rateLimitedCounter(String limit) {
        return rateLimited.computeIfAbsent(
                limit,
                l -> Counter.builder("parley.rate.limited")
                        .description("requests refused by a rate limit (rate.*)")
                        .tag("limit", l)
                        .register(registry));
    }

    private Counter admissionRefusedCounter(String reason) {
        return admissionRefused.computeIfAbsent(
                reason,
                r -> Counter.builder("parley.websocket.admission.refused")
                        .description("WebSocket connections refused with 1013 (ws.max-connections, ws.connect-rate)")
                        .tag("reason", r)
                        .register(registry));
    }

    /** A request refused by the rate limit {@code limit} (send, typing, rest, login-address, ...). */
    public void rateLimited(String limit) {
        rateLimitedCounter(limit).increment();
    }

    /** 1 while rate limits are checked in Redis; 0 on one node without Redis, or while a cluster node falls back. */
    private final java.util.concurrent.atomic.AtomicInteger rateLimitShared =
            new java.util.concurrent.atomic.AtomicInteger(0);

    private final Counter rateLimitFallbacks = Counter.builder("parley.rate.limit.fallbacks")
            .description("rate-limit checks decided by this node's own buckets because Redis failed")
            .register(registry);

    {
        Gauge.builder("parley.rate.limit.shared", rateLimitShared, java.util.concurrent.atomic.AtomicInteger::get)
                .description("1 while rate limits are checked in Redis (cluster-wide), 0 while this node uses its own "
                        + "buckets (no Redis, or Redis failed)")
                .register(registry);
    }

    /**
     * A rate-limit check decided by this node's own buckets because Redis did not answer ({@code shared} false), or
     * a check decided by Redis again ({@code shared} true).
     */
    public void rateLimitShared(boolean shared) {
        rateLimitShared.set(shared ? 1 : 0);
        if (!shared) {
            rateLimitFallbacks.increment();
        }
    }

    private final Counter passwordVerifications = Counter.builder("parley.password.verifications")
            .description("bcrypt verifications at login (one per login, against a dummy hash for an unknown user)")
            .register(registry);

    public void passwordVerified() {
        passwordVerifications.increment();
    }

    /** A WebSocket upgrade refused by admission: {@code reason} is "max-connections" or "connect-rate". */
    public void admissionRefused(String reason) {
        admissionRefusedCounter(reason).increment();
    }

    private final java.util.concurrent.ConcurrentHashMap<String, Counter> pushSent =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final Timer pushLatency = Timer.builder("parley.push.delivery.latency")
            .description("from the first message a push covers to the provider's acceptance of it")
            .serviceLevelObjectives(BUCKETS)
            .register(registry);

    /**
     * One push attempt's outcome: {@code channel} is the platform (webpush, fcm, apns), {@code result} delivered,
     * retry, gone, failed, dead (given up after push.max-attempts) or no_provider (a platform this node cannot send to).
     */
    public void pushSent(String channel, String result) {
        pushSentCounter(channel, result).increment();
    }

    private Counter pushSentCounter(String channel, String result) {
        return pushSent.computeIfAbsent(
                channel + "\n" + result,
                k -> Counter.builder("parley.push.notification.sent")
                        .description("push attempts by platform and outcome")
                        .tag("channel", channel)
                        .tag("result", result)
                        .register(registry));
    }

    {
        // Every series exists from the start (at 0), so rates and alerts see the first failure.
        for (String channel : new String[] {"webpush", "fcm", "apns"}) {
            for (String result : new String[] {"delivered", "retry", "gone", "failed", "dead", "no_provider"}) {
                pushSentCounter(channel, result);
            }
        }
    }

    /** A push the provider accepted, {@code millis} after the first message it covers. */
    public void pushDelivered(long millis) {
        pushLatency.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
    }

    /** Registers the gauge of push jobs waiting to be sent (the whole cluster's queue, as this node last read it). */
    public void pushQueueDepth(Supplier<Number> depth) {
        Gauge.builder("parley.push.queue.depth", depth)
                .description("push jobs queued and not yet delivered or given up (cluster-wide)")
                .register(registry);
    }

    /** The Prometheus text exposition of every meter. */
    /** The registry, for parts that keep their own meters (attachments' scans). */
    public io.micrometer.core.instrument.MeterRegistry registry() {
        return registry;
    }

    public String scrape() {
        return registry.scrape();
    }

    public void close() {
        gc.close();
        registry.close();
    }
}
