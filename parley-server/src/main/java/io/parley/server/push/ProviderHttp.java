package io.parley.server.push;

import io.parley.server.config.ConfigException;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** What the FCM and APNs providers share: Retry-After, the verdict on a transport failure, PEM key files. */
final class ProviderHttp {
    private ProviderHttp() {}

    /**
     * The threads a provider's HttpClient completes its futures on (daemon, named {@code name-N}); shutting it down
     * is how a provider closes, as Java 17's HttpClient has no close of its own.
     */
    static ExecutorService executor(String name) {
        AtomicInteger n = new AtomicInteger();
        return Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The answer's Retry-After (RFC 9110 10.2.3: delay-seconds or an HTTP-date, read against {@code clock}), or null
     * when absent or unreadable; a date in the past is zero.
     */
    static Duration retryAfter(HttpResponse<?> response, Clock clock) {
        return retryAfter(response.headers().firstValue("Retry-After").orElse(null), clock);
    }

    /** A Retry-After header's value as a delay from {@code clock}'s now; null when absent or unreadable. */
    static Duration retryAfter(String v, Clock clock) {
        if (v == null || v.isBlank()) {
            return null;
        }
        v = v.trim();
        if (v.matches("\\d{1,9}")) {
            return Duration.ofSeconds(Long.parseLong(v));
        }
        try {
            ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
            Duration d = Duration.between(clock.instant(), at.toInstant());
            return d.isNegative() ? Duration.ZERO : d;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** A request that got no answer (connection refused or reset, TLS failure, timeout): try again later. */
    static PushResult transportFailure(Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        String reason = cause instanceof HttpTimeoutException
                ? "timeout"
                : cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        return new PushResult(PushResult.Kind.RETRY, 0, null, reason);
    }

    /**
     * The DER bytes of the PKCS#8 private key in a PEM text ({@code -----BEGIN PRIVATE KEY-----}: an APNs .p8 file, a
     * service account's {@code private_key}); {@code key} names the setting in the error.
     */
    static byte[] pkcs8(String pem, String key) {
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new ConfigException(key + " holds no PKCS#8 private key (-----BEGIN PRIVATE KEY-----)");
        }
        String body = pem.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end);
        try {
            return Base64.getMimeDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + " holds a private key that is not base64: " + e.getMessage());
        }
    }

    /** The text of a key file; an unreadable file is a start error naming {@code key}. */
    static String read(Path file, String key) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + key + " " + file + ": " + e.getMessage());
        }
    }
}
