package io.parley.server.push;

import java.net.URI;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The VAPID {@code Authorization} header per push service origin, signed once and reused for half of its lifetime
 * ({@link WebPushRequest#JWT_LIFETIME}: 12 h, so a header sent is always valid for 6 h more), as RFC 8292 allows
 * (section 2: the token may be reused for requests to the same push service). Signing an ES256 token per push cost a
 * signature per notification. Keyed by origin: there are as many as push services, but endpoints come from
 * clients, so the map is emptied when it passes {@link #MAX_ORIGINS}.
 */
final class VapidTokens {
    static final int MAX_ORIGINS = 1_000;

    private record Token(String header, long reuseUntilMillis) {}

    private final VapidKeys vapid;
    private final String subject;
    private final Clock clock;
    private final ConcurrentHashMap<String, Token> byOrigin = new ConcurrentHashMap<>();

    VapidTokens(VapidKeys vapid, String subject, Clock clock) {
        this.vapid = vapid;
        this.subject = subject;
        this.clock = clock;
    }

    /** {@code vapid t=<jwt>, k=<key>} for the endpoint's origin: the one signed earlier while it is reusable. */
    String authorization(URI endpoint) {
        String origin = WebPushRequest.origin(endpoint);
        long now = clock.millis();
        Token t = byOrigin.get(origin);
        if (t == null || now >= t.reuseUntilMillis()) {
            t = new Token(
                    WebPushRequest.authorization(endpoint, vapid, subject, clock),
                    now + WebPushRequest.JWT_LIFETIME.toMillis() / 2);
            if (byOrigin.size() >= MAX_ORIGINS) {
                byOrigin.clear();
            }
            byOrigin.put(origin, t);
        }
        return t.header();
    }
}
