package io.parley.server.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every configuration key with its default ({@link ConfigLoader#DEFAULTS}), in the order of docs/operations.md: the
 * table the loader layers the file and the environment over, and the list of keys it accepts.
 */
final class ConfigDefaults {
    private ConfigDefaults() {}

    /** A new, unmodifiable map of every key to its default, in the order of docs/operations.md. */
    static Map<String, String> all() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("http.host", "127.0.0.1");
        d.put("http.port", "8080");
        d.put("http.cors-origins", "");
        d.put("metrics.token", "");
        d.put("data.dir", "./data");
        d.put("store.url", "sqlite:");
        d.put("store.fsync", "true");
        d.put("store.max-batch", "512");
        d.put("store.readers", "4");
        d.put("store.writers", "1");
        d.put("auth.jwt-secret", "");
        d.put("auth.issuer", "parley");
        d.put("auth.audience", "");
        d.put("auth.token-ttl", "15m");
        d.put("auth.refresh-token-ttl", "30d");
        d.put("auth.refresh-reuse-grace", "30s");
        d.put("auth.registration-enabled", "true");
        d.put("auth.bcrypt-cost", "10");
        d.put("auth.admins", "");
        d.put("auth.jwt-public-key", "");
        d.put("auth.jwks-url", "");
        d.put("auth.jwks-refresh", "10m");
        d.put("auth.jwks-min-refetch", "30s");
        d.put("auth.clock-skew", "30s");
        d.put("ws.allowed-origins", "");
        d.put("ws.heartbeat-interval", "25s");
        d.put("ws.idle-timeout", "60s");
        d.put("ws.auth-timeout", "10s");
        d.put("ws.max-outbound-bytes", "4194304");
        d.put("ws.sync-page-size", "500");
        d.put("ws.max-sync-buffer", "10000");
        d.put("ws.max-connections", "0");
        d.put("limits.max-frame-bytes", "65536");
        d.put("limits.max-body-chars", "4000");
        d.put("limits.max-group-size", "1000");
        d.put("limits.max-page-size", "200");
        d.put("limits.default-page-size", "50");
        d.put("messages.edit-window", "15m");
        d.put("receipts.window", "1s");
        d.put("receipts.max-fanout-members", "500");
        d.put("presence.ttl", "60s");
        d.put("presence.refresh-interval", "20s");
        d.put("presence.batch-window", "5s");
        d.put("presence.last-seen", "coarse");
        d.put("presence.max-conversation-size", "500");
        d.put("typing.throttle", "2s");
        d.put("typing.ttl", "6s");
        d.put("typing.max-conversation-size", "1000");
        d.put("redis.url", "");
        d.put("redis.prefix", "parley");
        d.put("redis.route-writes", "false");
        d.put("redis.route-timeout", "2s");
        d.put("log.format", "auto");
        d.put("log.level", "info");
        d.put("log.delivered-sample", "1000");
        d.put("rate.send", "30/10s");
        d.put("rate.typing", "20/10s");
        d.put("rate.presence", "20/10s");
        d.put("rate.receipts", "120/10s");
        d.put("rate.edits", "30/10s");
        d.put("rate.reactions", "60/10s");
        d.put("rate.rest", "300/10s");
        d.put("rate.login-address", "20/1m");
        d.put("rate.login-username", "10/1m");
        d.put("ws.connect-rate", "4000/2s");
        d.put("ws.admission-window", "15s");
        d.put("attachments.store", "embedded");
        d.put("attachments.dir", "");
        d.put("attachments.max-bytes", "104857600");
        d.put(
                "attachments.allowed-types",
                "image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain," + "application/zip");
        d.put("attachments.slot-ttl", "5m");
        d.put("attachments.download-ttl", "60s");
        d.put("attachments.unreferenced-ttl", "24h");
        d.put("attachments.moderation-hold", "0s");
        d.put("attachments.scanner", "none");
        d.put("attachments.clamd.address", "unix:/run/clamav/clamd.ctl");
        d.put("attachments.scan-timeout", "30s");
        d.put("attachments.scan-retry", "30s");
        d.put("attachments.scan-fail-open", "false");
        d.put("attachments.s3.endpoint", "");
        d.put("attachments.s3.region", "us-east-1");
        d.put("attachments.s3.bucket", "");
        d.put("attachments.s3.access-key", "");
        d.put("attachments.s3.secret-key", "");
        d.put("attachments.s3.path-style", "true");
        d.put("match.relax-after", "10s");
        d.put("match.grace", "15s");
        d.put("match.lock-ttl", "15s");
        d.put("match.skip-cooldown", "10m");
        d.put("match.max-scan", "1000");
        d.put("tls.cert-file", "");
        d.put("tls.key-file", "");
        d.put("tls.reload-interval", "1m");
        d.put("tls.hsts-max-age", "365d");
        d.put("search.indexing", "true");
        d.put("search.index-interval", "200ms");
        d.put("search.index-batch", "256");
        d.put("push.fcm.service-account-file", "");
        d.put("push.fcm.endpoint", "https://fcm.googleapis.com");
        d.put("push.fcm.token-uri", "");
        d.put("push.fcm.timeout", "10s");
        d.put("push.apns.key-file", "");
        d.put("push.apns.key-id", "");
        d.put("push.apns.team-id", "");
        d.put("push.apns.topic", "");
        d.put("push.apns.endpoint", "https://api.push.apple.com");
        d.put("push.apns.timeout", "10s");
        d.put("push.enabled", "true");
        d.put("push.grace", "5s");
        d.put("push.coalesce-window", "60s");
        d.put("push.content", "none");
        d.put("push.max-attempts", "12");
        d.put("push.backoff-base", "2s");
        d.put("push.backoff-max", "10m");
        d.put("push.rate", "30/1h");
        d.put("push.poll-interval", "1s");
        d.put("push.webpush.timeout", "10s");
        d.put("push.webpush.subject", "mailto:postmaster@localhost");
        d.put("push.webpush.ttl", "24h");
        d.put("moderation.enabled", "false");
        d.put("moderation.hold-below", "50");
        d.put("moderation.new-account-age", "24h");
        d.put("moderation.send-rate", "20/1m");
        d.put("moderation.max-link-density", "0.25");
        return java.util.Collections.unmodifiableMap(d);
    }
}
