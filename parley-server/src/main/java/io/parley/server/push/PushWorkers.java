package io.parley.server.push;

import io.parley.server.config.Config;
import io.parley.server.metrics.Metrics;
import io.parley.server.store.PushDevice;
import io.parley.server.time.Scheduler;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongUnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's push workers: every {@code push.poll-interval} one round plans the conversations whose grace window is
 * over ({@link PushPlanner}, one small write per conversation) and sends the jobs that are due through the
 * provider of each device's platform. Any number of nodes run them on one store: the store's leases keep two nodes
 * from planning or sending the same row. A job leaves the queue only when its outcome is recorded, so a node killed
 * mid-send loses nothing: after the lease ({@link #MIN_LEASE_MILLIS} at the least) another round (there or on
 * another node) sends it again, and the provider's collapse key (the conversation) makes that repeat replace the
 * first on the device.
 *
 * <p>Outcomes: delivered leaves the queue; retry (transport failure, timeout, 429, 5xx) waits {@link Backoff} (full
 * jitter, at least the provider's Retry-After) and after {@code push.max-attempts} attempts becomes a dead letter;
 * gone removes the device; failed (another 4xx) is a dead letter at once; a platform without a provider on this node
 * drops the job, counted as {@code no_provider}. Every failed attempt is one log line with its reason.
 *
 * <p>Runs on the scheduler it is given (a thread of its own in production: a round waits for the store and for the
 * providers' answers, up to {@code push.webpush.timeout}), never on an event loop.
 */
public final class PushWorkers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PushWorkers.class);
    /**
     * How long a claimed row stays a worker's at the least: past its lease a killed node's rows are claimable again.
     * The lease is this or three request deadlines and 5 s, whichever is longer: a batch's sends end within one.
     */
    static final long MIN_LEASE_MILLIS = 10_000;
    /** Rows claimed per step; a round takes at most {@link #STEPS} steps of each kind. */
    static final int BATCH = 64;

    private static final int STEPS = 16;
    private static final long STORE_TIMEOUT_SECONDS = 30;

    private final PushStore store;
    private final Map<PushDevice.Platform, PushProvider> providers;
    private final Config.Push config;
    private final Metrics metrics;
    private final Clock clock;
    private final PushPlanner planner;
    private final Backoff backoff;
    private final PushRate rate;
    private final long leaseMillis;
    private final Scheduler.Cancellable task;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile boolean closed;
    private volatile long depth;

    /**
     * {@code providers}: the platforms this node sends to (the lead wires FCM and APNs in beside Web Push); the workers
     * do not close them. {@code rate}: {@code push.rate}'s buckets (the node's rate limiter: cluster-wide with Redis).
     */
    public PushWorkers(
            PushStore store,
            Map<PushDevice.Platform, PushProvider> providers,
            Config.Push config,
            PushRate rate,
            Metrics metrics,
            Scheduler scheduler) {
        this(
                store,
                providers,
                config,
                rate,
                metrics,
                scheduler,
                bound -> ThreadLocalRandom.current().nextLong(bound + 1));
    }

    PushWorkers(
            PushStore store,
            Map<PushDevice.Platform, PushProvider> providers,
            Config.Push config,
            PushRate rate,
            Metrics metrics,
            Scheduler scheduler,
            LongUnaryOperator random) {
        this.store = store;
        this.providers = Map.copyOf(providers);
        this.config = config;
        this.metrics = metrics;
        this.clock = scheduler.clock();
        this.planner = new PushPlanner(store, config);
        this.backoff = new Backoff(config.backoffBase(), config.backoffMax(), random);
        this.rate = rate;
        this.leaseMillis =
                Math.max(MIN_LEASE_MILLIS, 3 * config.webPushTimeout().toMillis() + 5_000);
        metrics.pushQueueDepth(() -> depth);
        this.task = scheduler.every(config.pollInterval(), this::run);
    }

    /** One round: plans what is due, sends what is due, reads the queue's depth. Skipped while one is running. */
    public void run() {
        if (closed || !running.compareAndSet(false, true)) {
            return;
        }
        try {
            for (int i = 0; i < STEPS && !closed && planStep() == BATCH; i++) {
                // Planned a full batch: more may be due.
            }
            for (int i = 0; i < STEPS && !closed && sendStep() == BATCH; i++) {
                // Sent a full batch: more may be due.
            }
            depth = get(store.depth());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // What was claimed stays queued; the lease runs out and a later round takes it again.
            LOG.warn("a push round failed; what it claimed is taken again after the lease", e);
        } finally {
            running.set(false);
        }
    }

    /** Jobs queued and not given up, as the last round read it. */
    public long depth() {
        return depth;
    }

    private int planStep() throws Exception {
        long now = clock.millis();
        List<PushStore.Touched> due = get(store.claimTouched(now, config.grace().toMillis(), now + leaseMillis, BATCH));
        // Planned one by one (reads), committed together (one write for the step).
        List<PushStore.Plan> plans = new ArrayList<>(due.size());
        for (PushStore.Touched t : due) {
            try {
                plans.add(planner.plan(t, now));
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                LOG.warn(
                        "planning the pushes of conversation {} failed; it is planned again after the lease",
                        t.conversationId(),
                        e);
            }
        }
        get(store.commitPlans(plans));
        return due.size();
    }

    private int sendStep() throws Exception {
        long now = clock.millis();
        List<PushStore.Job> jobs = get(store.claimJobs(now, now + leaseMillis, BATCH));
        List<PushStore.Outcome> outcomes = new ArrayList<>();
        List<CompletableFuture<PushResult>> sent = new ArrayList<>();
        List<PushStore.Job> sentJobs = new ArrayList<>();
        // The batch's tokens are asked for together (one round trip's wait with Redis, not one per job), in job order.
        Map<Long, CompletableFuture<Long>> tokens = new java.util.HashMap<>();
        for (PushStore.Job job : jobs) {
            if (job.device() != null
                    && providers.containsKey(job.device().platform())
                    && !job.message().clear()) {
                tokens.put(job.id(), rate.take(job.userId()));
            }
        }
        for (PushStore.Job job : jobs) {
            if (job.device() == null) {
                outcomes.add(new PushStore.Outcome.Done(job));
                continue;
            }
            PushProvider provider = providers.get(job.device().platform());
            if (provider == null) {
                metrics.pushSent(job.device().platform().wire(), "no_provider");
                outcomes.add(new PushStore.Outcome.Done(job));
                continue;
            }
            CompletableFuture<Long> token = tokens.get(job.id());
            long wait = token == null ? 0 : get(token);
            if (wait > 0) {
                outcomes.add(new PushStore.Outcome.Later(job, now + wait, false, "push.rate"));
                continue;
            }
            CompletableFuture<PushResult> f;
            try {
                f = provider.send(job.device(), job.message());
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            sent.add(f);
            sentJobs.add(job);
        }
        long deadline = System.nanoTime() + config.webPushTimeout().toNanos() + TimeUnit.SECONDS.toNanos(5);
        for (int i = 0; i < sent.size(); i++) {
            long left = Math.max(0, deadline - System.nanoTime());
            PushStore.Job job = sentJobs.get(i);
            try {
                outcomes.add(outcome(job, sent.get(i).get(left, TimeUnit.NANOSECONDS), null));
            } catch (java.util.concurrent.ExecutionException e) {
                outcomes.add(outcome(job, null, e.getCause()));
            } catch (TimeoutException e) {
                outcomes.add(outcome(job, null, e));
            }
        }
        get(store.finish(outcomes));
        return jobs.size();
    }

    private PushStore.Outcome outcome(PushStore.Job job, PushResult r, Throwable err) {
        String channel = job.device().platform().wire();
        long now = clock.millis();
        if (r == null) {
            r = new PushResult(PushResult.Kind.RETRY, 0, null, err == null ? "no answer" : err.toString());
        }
        int attempt = job.attempts() + 1;
        switch (r.kind()) {
            case DELIVERED -> {
                metrics.pushSent(channel, "delivered");
                metrics.pushDelivered(now - job.firstAt());
                return new PushStore.Outcome.Done(job);
            }
            case GONE -> {
                metrics.pushSent(channel, "gone");
                LOG.info(
                        "push device {} is gone at {} (status {}, {}); removed",
                        job.deviceId(),
                        channel,
                        r.status(),
                        r.reason());
                return new PushStore.Outcome.Gone(job);
            }
            case FAILED -> {
                metrics.pushSent(channel, "failed");
                metrics.pushSent(channel, "dead");
                LOG.warn(
                        "push job {} to device {} refused by {} (status {}, {}): given up",
                        job.id(),
                        job.deviceId(),
                        channel,
                        r.status(),
                        r.reason());
                return new PushStore.Outcome.Dead(job, now, r.reason());
            }
            default -> {
                metrics.pushSent(channel, "retry");
                if (attempt >= config.maxAttempts()) {
                    metrics.pushSent(channel, "dead");
                    LOG.warn(
                            "push job {} to device {} failed at {} (status {}, {}): attempt {} of {}, given up",
                            job.id(),
                            job.deviceId(),
                            channel,
                            r.status(),
                            r.reason(),
                            attempt,
                            config.maxAttempts());
                    return new PushStore.Outcome.Dead(job, now, r.reason());
                }
                long delay = backoff.delayMillis(attempt, r.retryAfter());
                LOG.warn(
                        "push job {} to device {} failed at {} (status {}, {}): attempt {} of {}, next in {} ms",
                        job.id(),
                        job.deviceId(),
                        channel,
                        r.status(),
                        r.reason(),
                        attempt,
                        config.maxAttempts(),
                        delay);
                return new PushStore.Outcome.Later(job, now + delay, true, r.reason());
            }
        }
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        try {
            return f.get(STORE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception c ? c : e;
        }
    }

    /** Stops the rounds; one already running finishes. */
    @Override
    public void close() {
        closed = true;
        task.cancel();
    }
}
