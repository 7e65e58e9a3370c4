package io.parley.server.push;

import java.time.Duration;

/**
 * What became of one send ({@link PushProvider#send}).
 *
 * @param kind the verdict the workers act on
 * @param status the provider's HTTP status (0: no answer: a transport failure or a timeout)
 * @param retryAfter the provider's Retry-After, or null when it gave none
 * @param reason a short text for the failure log line (the provider's error code or the transport error); null when
 *     delivered
 */
public record PushResult(Kind kind, int status, Duration retryAfter, String reason) {
    public enum Kind {
        /** Accepted by the provider. */
        DELIVERED,
        /** Not now (transport failure, timeout, 429, 5xx): try again later, after {@code retryAfter} if given. */
        RETRY,
        /** The target no longer exists: remove the device, do not retry. */
        GONE,
        /** Refused for good (a 4xx other than 404, 410 and 429: a bad request or bad credentials): do not retry. */
        FAILED
    }

    public static PushResult delivered(int status) {
        return new PushResult(Kind.DELIVERED, status, null, null);
    }
}
