package io.parley.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * The generator's HTTP side of the server under test: REST calls made while setting up users and conversations (at
 * most {@link #IN_FLIGHT} at a time, so set-up does not open thousands of connections at once), and the server's own
 * counters read from /metrics to cross-check the generator's accounting.
 */
final class ServerRest {
    static final int IN_FLIGHT = 32;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Semaphore inFlight = new Semaphore(IN_FLIGHT);

    ServerRest(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** One authenticated call; its future fails on a transport error or an HTTP status of 300 or more. */
    CompletableFuture<JsonNode> call(String method, String path, String token, String body) {
        inFlight.acquireUninterruptibly();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("content-type", "application/json");
        }
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()).handle((r, err) -> {
            inFlight.release();
            if (err != null) {
                throw new IllegalStateException(method + " " + path + " failed", err);
            }
            if (r.statusCode() >= 300) {
                throw new IllegalStateException(method + " " + path + " -> " + r.statusCode() + " " + r.body());
            }
            try {
                return JSON.readTree(r.body());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /**
     * A histogram's cumulative buckets from the server's /metrics: upper bound in seconds ({@code +Inf} included) to
     * the count of observations at or below it; empty when unavailable.
     */
    TreeMap<Double, Double> buckets(String name) {
        TreeMap<Double, Double> out = new TreeMap<>();
        try {
            String prefix = name + "_bucket{";
            for (String line : metrics()) {
                int le = line.indexOf("le=\"");
                if (line.startsWith(prefix) && le > 0) {
                    String bound = line.substring(le + 4, line.indexOf('"', le + 4));
                    out.merge(
                            "+Inf".equals(bound) ? Double.POSITIVE_INFINITY : Double.parseDouble(bound),
                            Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)),
                            Double::sum);
                }
            }
        } catch (Exception e) {
            System.out.println("could not read " + name + " from /metrics: " + e);
            out.clear();
        }
        return out;
    }

    /** A counter from the server's /metrics (NaN when unavailable, which the report then says). */
    double counter(String name) {
        try {
            for (String line : metrics()) {
                if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        } catch (Exception e) {
            System.out.println("could not read " + name + " from /metrics: " + e);
        }
        return Double.NaN;
    }

    /** The lines of the server's /metrics. */
    private String[] metrics() throws IOException, InterruptedException {
        return http.send(
                        HttpRequest.newBuilder(URI.create(baseUrl + "/metrics"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body()
                .split("\n");
    }
}
