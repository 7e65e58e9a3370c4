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
 * One instance per node, passed to the parts that count; recording never blocks.
 */
public final class Metrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Counter delivered;
    private final Counter replayed;
    private final Counter sendsAcked;
    private final Timer deliveryLatency;
    private final Timer commit;
    private final Timer sync;
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
        delivered = Counter.builder("messages.delivered")
                .description("events written live to WebSocket sessions")
                .register(registry);
        replayed = Counter.builder("messages.replayed")
                .description("events written to sessions while resuming")
                .register(registry);
        sendsAcked = Counter.builder("messages.acked")
                .description("sends acknowledged after their durable commit")
                .register(registry);
        deliveryLatency = Timer.builder("message.delivery.latency")
                .description("time from a message's creation (before its commit) to its write to a recipient's socket")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
        commit = Timer.builder("message.store.commit")
                .description("duration of one group commit (a batch of writes)")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(5))
                .register(registry);
        sync = Timer.builder("offline.sync.duration")
                .description("from a client's sync to its synced marker")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(5))
                .register(registry);
        presenceUpdates = Counter.builder("presence.updates")
                .description("presence entries delivered to sessions' users")
                .register(registry);
        slowConsumers = Counter.builder("websocket.slow.consumers")
                .description("sessions closed with 4008 because their outbound queue was full")
                .register(registry);
    }

    /** Registers the gauge of open, authenticated WebSocket sessions. */
    public void connections(Supplier<Number> active) {
        Gauge.builder("websocket.connections.active", active)
                .description("authenticated WebSocket sessions on this node")
                .register(registry);
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

    public void presenceUpdates(int n) {
        presenceUpdates.increment(n);
    }

    public void slowConsumer() {
        slowConsumers.increment();
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    public void close() {
        gc.close();
        registry.close();
    }
}
