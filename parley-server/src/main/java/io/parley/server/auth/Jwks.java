package io.parley.server.auth;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import io.parley.server.time.Scheduler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys of a JWKS document ({@code auth.jwks-url}), fetched without blocking (java.net.http, asynchronously): once
 * at start, every {@code auth.jwks-refresh}, and again when a token names a key id not in hand, at most once per
 * {@code auth.jwks-min-refetch} whatever the number of such tokens (so made-up key ids cannot make the node hammer
 * the identity provider). A fetch replaces the keys only when it succeeds: a failed or malformed answer keeps the keys
 * in hand and is logged. Only public keys are kept.
 */
public final class Jwks implements PublicKeyJwt.KeySource, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("io.parley.auth");
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);

    private final URI url;
    private final HttpClient http;
    private final Clock clock;
    private final long minRefetchMillis;
    private final Scheduler.Cancellable refreshing;
    private final CompletableFuture<Boolean> first;
    private final AtomicLong fetches = new AtomicLong();
    private volatile List<JWK> keys = List.of();
    private CompletableFuture<Boolean> inFlight;
    private long lastFetchStarted = Long.MIN_VALUE / 2;

    /** Starts the first fetch; {@link #firstFetch()} completes when it has. */
    public Jwks(URI url, HttpClient http, Scheduler timers, Duration refresh, Duration minRefetch) {
        this.url = url;
        this.http = http;
        this.clock = timers.clock();
        this.minRefetchMillis = minRefetch.toMillis();
        this.first = fetch();
        this.refreshing = timers.every(refresh, this::fetch);
    }

    /** Completes (true when keys came in) once the fetch made at start has ended. */
    public CompletableFuture<Boolean> firstFetch() {
        return first;
    }

    @Override
    public List<JWK> keys() {
        return keys;
    }

    /** How many fetches were started (tests, metrics). */
    public long fetches() {
        return fetches.get();
    }

    @Override
    public synchronized CompletableFuture<Boolean> refetch() {
        if (inFlight != null) {
            return inFlight;
        }
        if (clock.millis() - lastFetchStarted < minRefetchMillis) {
            return CompletableFuture.completedFuture(false);
        }
        return fetch();
    }

    private synchronized CompletableFuture<Boolean> fetch() {
        if (inFlight != null) {
            return inFlight;
        }
        lastFetchStarted = clock.millis();
        fetches.incrementAndGet();
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(FETCH_TIMEOUT)
                .header("Accept", "application/json")
                .GET()
                .build();
        CompletableFuture<Boolean> f = http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .handle((response, err) -> {
                    if (err != null) {
                        LOG.warn("JWKS {}: fetch failed, keeping {} keys: {}", url, keys.size(), err.toString());
                        return false;
                    }
                    if (response.statusCode() != 200) {
                        LOG.warn("JWKS {}: answered {}, keeping {} keys", url, response.statusCode(), keys.size());
                        return false;
                    }
                    try {
                        List<JWK> fetched =
                                JWKSet.parse(response.body()).toPublicJWKSet().getKeys();
                        keys = List.copyOf(fetched);
                        return true;
                    } catch (ParseException e) {
                        LOG.warn("JWKS {}: not a JWK set ({}), keeping {} keys", url, e.getMessage(), keys.size());
                        return false;
                    }
                });
        inFlight = f;
        f.whenComplete((ok, err) -> done());
        return f;
    }

    private synchronized void done() {
        inFlight = null;
    }

    @Override
    public void close() {
        refreshing.cancel();
    }
}
