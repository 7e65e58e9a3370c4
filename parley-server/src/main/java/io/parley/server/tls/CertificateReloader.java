package io.parley.server.tls;

import io.parley.server.config.Config;
import io.parley.server.time.Scheduler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.ServerSSLOptions;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a renewed certificate without a restart: every {@code tls.reload-interval} (on the node's scheduler, a
 * thread of its own in production, so the file reads never run on an event loop) both PEM files are read again; a pair
 * whose bytes changed and that checks out ({@link ServedCertificate#read}) is handed to the running HTTP servers
 * through {@code apply} ({@code HttpServer.updateSSLOptions}). Connections open before keep the session they
 * negotiated; every handshake after the update gets the new certificate.
 * <p>
 * A pair that does not check out (a half-written renewal, a key beside the wrong certificate) is logged at WARN
 * without a stack trace and the old certificate stays; it is tried again at the next interval, so a renewal written
 * file by file is picked up once both files are in place. Only one update is in flight at a time.
 */
public final class CertificateReloader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateReloader.class);

    private final Config.Tls tls;
    private final Vertx vertx;
    private final Function<ServerSSLOptions, Future<?>> apply;
    private final Scheduler.Cancellable task;
    private volatile ServedCertificate current;
    private volatile boolean updating;
    private final AtomicLong reloads = new AtomicLong();

    /**
     * {@code first}: what the servers were started with. {@code apply}: hands new options to the servers and
     * completes when they serve them. Checks every {@code tls.reloadInterval()} (never when it is zero).
     */
    public CertificateReloader(
            Config.Tls tls,
            Vertx vertx,
            Scheduler scheduler,
            ServedCertificate first,
            Function<ServerSSLOptions, Future<?>> apply) {
        this.tls = tls;
        this.vertx = vertx;
        this.apply = apply;
        this.current = first;
        this.task = tls.reloadInterval().isZero() ? () -> {} : scheduler.every(tls.reloadInterval(), this::check);
    }

    /** The certificate served now. */
    public ServedCertificate current() {
        return current;
    }

    /** How many renewed certificates were taken up since start. */
    public long reloads() {
        return reloads.get();
    }

    /** One check of the files: on the scheduler's thread (blocking reads). */
    void check() {
        if (updating) {
            return;
        }
        ServedCertificate next;
        try {
            next = ServedCertificate.read(tls.certFile(), tls.keyFile(), vertx);
        } catch (TlsException e) {
            LOG.warn("TLS certificate not reloaded, still serving {}: {}", current.describe(), e.getMessage());
            return;
        }
        if (next.sameAs(current)) {
            return;
        }
        updating = true;
        apply.apply(next.options()).onComplete(done -> {
            updating = false;
            if (done.succeeded()) {
                current = next;
                reloads.incrementAndGet();
                LOG.info("TLS certificate reloaded from {}: {}", tls.certFile(), next.describe());
            } else {
                LOG.warn(
                        "TLS certificate from {} refused by the server, still serving {}: {}",
                        tls.certFile(),
                        current.describe(),
                        String.valueOf(done.cause()));
            }
        });
    }

    @Override
    public void close() {
        task.cancel();
    }
}
