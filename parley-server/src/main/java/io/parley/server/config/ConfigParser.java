package io.parley.server.config;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the {@link Config} from layered raw values, section by section, with the checks that span keys (a timeout
 * against an interval, a provider's credentials all or none).
 */
final class ConfigParser extends ConfigValues {
    ConfigParser(Map<String, String> values, Map<String, String> source) {
        super(values, source);
    }

    Config parse() {
        Config.Http http = new Config.Http(
                nonEmpty("http.host"),
                intIn("http.port", 0, 65535),
                origins("http.cors-origins"),
                emptyToNull("metrics.token"));
        Path dataDir = Path.of(nonEmpty("data.dir"));
        String url = nonEmpty("store.url");
        StoreUrl parsed;
        try {
            parsed = StoreUrl.parse(url);
        } catch (IllegalArgumentException e) {
            // A PostgreSQL URL is shown with its password redacted; for an unknown scheme the message suffices.
            throw url.startsWith("postgresql://") || url.startsWith("postgres://")
                    ? bad("store.url", e.getMessage(), redact(url))
                    : bad("store.url", e.getMessage());
        }
        int writers = intIn("store.writers", 1, 16);
        if (writers > 1 && parsed instanceof StoreUrl.Sqlite) {
            throw bad(
                    "store.writers", "must be 1 with SQLite (one writer per database file)", Integer.toString(writers));
        }
        Config.Store store = new Config.Store(
                parsed,
                bool("store.fsync"),
                intIn("store.max-batch", 1, 100_000),
                intIn("store.readers", 1, 64),
                writers);
        String secret = values.get("auth.jwt-secret");
        if (!secret.isEmpty() && secret.getBytes(StandardCharsets.UTF_8).length < 32) {
            throw bad("auth.jwt-secret", "must be at least 32 bytes for HS256 (value hidden)", "<hidden>");
        }
        Config.Auth auth = new Config.Auth(
                secret.isEmpty() ? null : secret,
                emptyToNull("auth.issuer"),
                emptyToNull("auth.audience"),
                duration("auth.token-ttl", Duration.ofMinutes(1)),
                bool("auth.registration-enabled"),
                intIn("auth.bcrypt-cost", 4, 31),
                publicKeys(),
                duration("auth.clock-skew", Duration.ZERO),
                duration("auth.refresh-token-ttl", Duration.ofHours(1)),
                duration("auth.refresh-reuse-grace", Duration.ZERO, Duration.ofMinutes(5), "5m"),
                usernames("auth.admins"));
        Config.WebSocket ws = new Config.WebSocket(
                origins("ws.allowed-origins"),
                duration("ws.heartbeat-interval", Duration.ofMillis(100)),
                duration("ws.idle-timeout", Duration.ofMillis(200)),
                duration("ws.auth-timeout", Duration.ofMillis(100)),
                intIn("ws.max-outbound-bytes", 65_536, Integer.MAX_VALUE),
                intIn("ws.sync-page-size", 1, 10_000),
                intIn("ws.max-sync-buffer", 100, 10_000_000),
                intIn("ws.max-connections", 0, 100_000_000));
        if (ws.idleTimeout().compareTo(ws.heartbeatInterval()) <= 0) {
            throw bad(
                    "ws.idle-timeout",
                    "must be longer than ws.heartbeat-interval (" + values.get("ws.heartbeat-interval") + ")");
        }
        Config.Limits limits = new Config.Limits(
                intIn("limits.max-frame-bytes", 1024, 16 * 1024 * 1024),
                intIn("limits.max-body-chars", 1, 1_000_000),
                intIn("limits.max-group-size", 2, 1_000_000),
                intIn("limits.max-page-size", 1, 10_000),
                intIn("limits.default-page-size", 1, 10_000));
        if (limits.defaultPageSize() > limits.maxPageSize()) {
            throw bad(
                    "limits.default-page-size", "must not exceed limits.max-page-size (" + limits.maxPageSize() + ")");
        }
        // A body of maxBodyChars must fit in a frame with its envelope; 4 bytes per char is the UTF-8 worst case.
        if ((long) limits.maxBodyChars() * 4 + 512 > limits.maxFrameBytes()) {
            throw bad(
                    "limits.max-body-chars",
                    "a body this long (up to 4 bytes a character) does not fit in " + "limits.max-frame-bytes="
                            + limits.maxFrameBytes());
        }
        Config.Messages messages = new Config.Messages(duration("messages.edit-window", Duration.ZERO));
        Config.Receipts receipts = new Config.Receipts(
                duration("receipts.window", Duration.ofMillis(10)), intIn("receipts.max-fanout-members", 0, 1_000_000));
        Config.Presence presence = new Config.Presence(
                duration("presence.ttl", Duration.ofMillis(100)),
                duration("presence.refresh-interval", Duration.ofMillis(50)),
                duration("presence.batch-window", Duration.ofMillis(10)),
                lastSeen("presence.last-seen"),
                intIn("presence.max-conversation-size", 0, 1_000_000),
                duration("typing.throttle", Duration.ofMillis(10)),
                duration("typing.ttl", Duration.ofMillis(100)),
                intIn("typing.max-conversation-size", 0, 1_000_000));
        if (presence.refreshInterval().compareTo(presence.ttl()) >= 0) {
            throw bad(
                    "presence.refresh-interval",
                    "must be shorter than presence.ttl (" + values.get("presence.ttl") + ")");
        }
        String redisUrl = emptyToNull("redis.url");
        if (redisUrl != null && !redisUrl.matches("rediss?(-cluster)?://.+")) {
            throw bad(
                    "redis.url",
                    "must look like redis://host:port or redis-cluster://host:port,host:port (or be empty for the in-process"
                            + " mode)",
                    redact(redisUrl));
        }
        String redisPrefix = nonEmpty("redis.prefix");
        if (!redisPrefix.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw bad("redis.prefix", "must be 1 to 64 letters, digits, '_', '.' or '-'");
        }
        return new Config(
                http,
                dataDir,
                store,
                auth,
                ws,
                limits,
                messages,
                receipts,
                presence,
                new Config.Redis(
                        redisUrl,
                        redisPrefix,
                        bool("redis.route-writes"),
                        duration("redis.route-timeout", Duration.ofMillis(100))),
                log(),
                rates(),
                attachments(),
                new Config.Match(
                        duration("match.relax-after", Duration.ZERO),
                        duration("match.grace", Duration.ZERO),
                        duration("match.lock-ttl", Duration.ofMillis(300)),
                        duration("match.skip-cooldown", Duration.ZERO),
                        intIn("match.max-scan", 1, 100_000)),
                tls(),
                search(),
                fcm(),
                apns(),
                push(),
                moderation());
    }

    /** The reputation's thresholds (docs/operations.md, "Server admins and moderation"). */
    private Config.Moderation moderation() {
        String density = values.get("moderation.max-link-density").trim();
        double d;
        try {
            d = Double.parseDouble(density);
        } catch (NumberFormatException e) {
            throw bad("moderation.max-link-density", "is not a number (links per word, e.g. 0.25)");
        }
        if (!(d >= 0 && d <= 1)) {
            throw bad("moderation.max-link-density", "must be between 0 and 1 (links per word)");
        }
        return new Config.Moderation(
                bool("moderation.enabled"),
                intIn("moderation.hold-below", 0, 101),
                duration("moderation.new-account-age", Duration.ZERO),
                rate("moderation.send-rate"),
                d);
    }

    /** FCM is on when its service account file is set; a token-uri override without it is a mistake. */
    private Config.Fcm fcm() {
        String file = emptyToNull("push.fcm.service-account-file");
        URI tokenUri = emptyToNull("push.fcm.token-uri") == null ? null : httpUrl("push.fcm.token-uri");
        if (file == null && tokenUri != null) {
            throw bad("push.fcm.service-account-file", "must be set when push.fcm.token-uri is");
        }
        return new Config.Fcm(
                file == null ? null : Path.of(file),
                httpUrl("push.fcm.endpoint"),
                tokenUri,
                duration("push.fcm.timeout", Duration.ofMillis(100), Duration.ofMinutes(2), "2m"));
    }

    /** APNs needs its four keys together: any one set without the others names the first one missing. */
    private Config.Apns apns() {
        List<String> keys = List.of("push.apns.key-file", "push.apns.key-id", "push.apns.team-id", "push.apns.topic");
        boolean any = keys.stream().anyMatch(k -> emptyToNull(k) != null);
        if (any) {
            for (String k : keys) {
                if (emptyToNull(k) == null) {
                    throw bad(k, "must be set: APNs needs push.apns.key-file, key-id, team-id and topic together");
                }
            }
            for (String k : List.of("push.apns.key-id", "push.apns.team-id")) {
                if (!values.get(k).matches("[A-Z0-9]{10}")) {
                    throw bad(k, "must be the 10 letters and digits Apple shows (e.g. ABC123DEFG)");
                }
            }
            if (!values.get("push.apns.topic").matches("[A-Za-z0-9.-]+")) {
                throw bad("push.apns.topic", "must be the app's bundle id (e.g. com.example.chat)");
            }
        }
        return new Config.Apns(
                any ? Path.of(values.get("push.apns.key-file")) : null,
                emptyToNull("push.apns.key-id"),
                emptyToNull("push.apns.team-id"),
                emptyToNull("push.apns.topic"),
                httpUrl("push.apns.endpoint"),
                duration("push.apns.timeout", Duration.ofMillis(100), Duration.ofMinutes(2), "2m"));
    }

    /** An http:// or https:// URL without a trailing slash. */
    private URI httpUrl(String key) {
        String v = nonEmpty(key);
        if (!v.matches("https?://[^\\s]+") || v.endsWith("/")) {
            throw bad(key, "must be an http:// or https:// URL without a trailing slash");
        }
        try {
            return new URI(v);
        } catch (java.net.URISyntaxException e) {
            throw bad(key, "is not a URL: " + e.getReason());
        }
    }

    private Config.Rates rates() {
        return new Config.Rates(
                rate("rate.send"),
                rate("rate.typing"),
                rate("rate.presence"),
                rate("rate.receipts"),
                rate("rate.edits"),
                rate("rate.reactions"),
                rate("rate.rest"),
                rate("rate.login-address"),
                rate("rate.login-username"),
                rate("ws.connect-rate"),
                duration("ws.admission-window", Duration.ofMillis(100)));
    }

    /** {@code N/duration} (a burst of N, refilled at N per duration: {@code 30/10s}), or {@code 0}: no limit. */
    private Config.Rate rate(String key) {
        String v = values.get(key).trim().toLowerCase(Locale.ROOT);
        if (v.equals("0")) {
            return Config.Rate.UNLIMITED;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,7})/(\\d{1,9})(ms|s|m|h)")
                .matcher(v);
        if (!m.matches()) {
            throw bad(
                    key,
                    "is not a rate (N/duration, e.g. 30/10s: a burst of 30, refilled at 30 per 10 s; or 0: no limit)");
        }
        int burst = Integer.parseInt(m.group(1));
        long n = Long.parseLong(m.group(2));
        Duration period = switch (m.group(3)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
        if (burst < 1 || burst > 1_000_000) {
            throw bad(key, "must allow a burst of 1 to 1000000 (or be 0: no limit)");
        }
        if (period.toMillis() < 1 || period.compareTo(Duration.ofDays(1)) > 0) {
            throw bad(key, "must have a period of 1ms to 24h");
        }
        if (period.toNanos() / 1000 / burst < 1) {
            throw bad(key, "refills faster than one per microsecond; use a longer period");
        }
        return new Config.Rate(burst, period);
    }

    private Config.Attachments attachments() {
        String store = values.get("attachments.store").toLowerCase(Locale.ROOT);
        if (!store.equals("embedded") && !store.equals("s3")) {
            throw bad("attachments.store", "must be embedded or s3");
        }
        long maxBytes;
        try {
            maxBytes = Long.parseLong(values.get("attachments.max-bytes").trim());
        } catch (NumberFormatException e) {
            throw bad("attachments.max-bytes", "must be a number of bytes");
        }
        if (maxBytes < 1 || maxBytes > 5L * 1024 * 1024 * 1024) {
            throw bad("attachments.max-bytes", "must be 1 to 5368709120 (5 GiB, one S3 PUT)");
        }
        List<String> types = new ArrayList<>();
        for (String t : values.get("attachments.allowed-types").split(",")) {
            String v = t.trim().toLowerCase(Locale.ROOT);
            if (!v.isEmpty()) {
                if (!v.matches("[a-z0-9.+-]+/[a-z0-9.+-]+")) {
                    throw bad("attachments.allowed-types", "lists a value that is no media type: '" + v + "'");
                }
                types.add(v);
            }
        }
        Duration slotTtl = duration("attachments.slot-ttl", Duration.ofSeconds(1), Duration.ofMinutes(5), "5m");
        Duration downloadTtl =
                duration("attachments.download-ttl", Duration.ofSeconds(1), Duration.ofSeconds(60), "60s");
        String scanner = values.get("attachments.scanner").toLowerCase(Locale.ROOT);
        if (!scanner.equals("none") && !scanner.equals("clamd")) {
            throw bad("attachments.scanner", "must be none or clamd");
        }
        String clamd = nonEmpty("attachments.clamd.address");
        if (!clamd.startsWith("unix:/") && !clamd.matches("tcp://[^:/]+:\\d{1,5}")) {
            throw bad("attachments.clamd.address", "must be unix:/path/to/socket or tcp://host:port");
        }
        Config.S3 s3 = new Config.S3(
                values.get("attachments.s3.endpoint").trim(),
                nonEmpty("attachments.s3.region"),
                values.get("attachments.s3.bucket").trim(),
                values.get("attachments.s3.access-key").trim(),
                values.get("attachments.s3.secret-key"),
                bool("attachments.s3.path-style"));
        if (store.equals("s3") && s3.bucket().isEmpty()) {
            throw bad("attachments.s3.bucket", "must be set when attachments.store=s3");
        }
        String dir = values.get("attachments.dir").trim();
        return new Config.Attachments(
                store,
                dir.isEmpty() ? null : Path.of(dir),
                maxBytes,
                List.copyOf(types),
                slotTtl,
                downloadTtl,
                duration("attachments.unreferenced-ttl", Duration.ofSeconds(1)),
                duration("attachments.moderation-hold", Duration.ZERO),
                scanner,
                clamd,
                duration("attachments.scan-timeout", Duration.ofMillis(100)),
                duration("attachments.scan-retry", Duration.ofMillis(100)),
                bool("attachments.scan-fail-open"),
                s3);
    }

    private Config.Tls tls() {
        String cert = emptyToNull("tls.cert-file");
        String key = emptyToNull("tls.key-file");
        if ((cert == null) != (key == null)) {
            throw bad(
                    cert == null ? "tls.cert-file" : "tls.key-file",
                    "must be set together with " + (cert == null ? "tls.key-file" : "tls.cert-file")
                            + " (both for HTTPS/WSS, neither for plain HTTP)");
        }
        return new Config.Tls(
                cert == null ? null : Path.of(cert),
                key == null ? null : Path.of(key),
                duration("tls.reload-interval", Duration.ZERO),
                duration("tls.hsts-max-age", Duration.ZERO));
    }

    private Config.Search search() {
        Duration interval = duration("search.index-interval", Duration.ofMillis(10));
        if (interval.compareTo(Duration.ofSeconds(60)) > 0) {
            throw bad("search.index-interval", "must be at most 60s");
        }
        return new Config.Search(bool("search.indexing"), interval, intIn("search.index-batch", 1, 10_000));
    }

    private Config.Push push() {
        Config.PushContent content = switch (values.get("push.content").toLowerCase(Locale.ROOT)) {
            case "none" -> Config.PushContent.NONE;
            case "sender" -> Config.PushContent.SENDER;
            case "full" -> Config.PushContent.FULL;
            default -> throw bad("push.content", "must be none, sender or full");
        };
        Duration base = duration("push.backoff-base", Duration.ofMillis(10), Duration.ofHours(1), "1h");
        Duration max = duration("push.backoff-max", Duration.ofMillis(10), Duration.ofDays(1), "24h");
        if (max.compareTo(base) < 0) {
            throw bad(
                    "push.backoff-max", "must be at least push.backoff-base (" + values.get("push.backoff-base") + ")");
        }
        String subject = nonEmpty("push.webpush.subject");
        if (!subject.startsWith("mailto:") && !subject.startsWith("https://")) {
            throw bad(
                    "push.webpush.subject",
                    "must be a mailto: or https: contact (RFC 8292), e.g. " + "mailto:ops@example.com");
        }
        return new Config.Push(
                bool("push.enabled"),
                duration("push.grace", Duration.ZERO, Duration.ofMinutes(10), "10m"),
                duration("push.coalesce-window", Duration.ZERO, Duration.ofDays(1), "24h"),
                content,
                intIn("push.max-attempts", 1, 100),
                base,
                max,
                rate("push.rate"),
                duration("push.poll-interval", Duration.ofMillis(10), Duration.ofSeconds(60), "60s"),
                duration("push.webpush.timeout", Duration.ofMillis(100), Duration.ofMinutes(5), "5m"),
                subject,
                duration("push.webpush.ttl", Duration.ZERO, Duration.ofDays(28), "28d"));
    }

    private Config.Log log() {
        String format = values.get("log.format").toLowerCase(Locale.ROOT);
        Config.LogFormat f = switch (format) {
            case "auto" -> Config.LogFormat.AUTO;
            case "json" -> Config.LogFormat.JSON;
            case "text" -> Config.LogFormat.TEXT;
            default -> throw bad("log.format", "must be auto, json or text");
        };
        Map<String, String> levels = new java.util.TreeMap<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            String key = e.getKey();
            if (key.startsWith(ConfigLoader.LOG_LEVEL_PREFIX)) {
                String logger = key.substring(ConfigLoader.LOG_LEVEL_PREFIX.length());
                if (!logger.matches("[A-Za-z0-9_$-]+(\\.[A-Za-z0-9_$-]+)*")) {
                    throw bad(key, "names no logger (log.level.<package or class>, e.g. log.level.io.parley.gateway)");
                }
                levels.put(logger, level(key));
            }
        }
        return new Config.Log(
                f,
                level("log.level"),
                java.util.Collections.unmodifiableMap(levels),
                intIn("log.delivered-sample", 0, 1_000_000_000));
    }

    private String level(String key) {
        String v = values.get(key).toLowerCase(Locale.ROOT);
        if (!Config.Log.LEVELS.contains(v)) {
            throw bad(key, "must be one of " + String.join(", ", Config.Log.LEVELS));
        }
        return v;
    }

    private Config.PublicKeys publicKeys() {
        String pem = emptyToNull("auth.jwt-public-key");
        String jwks = emptyToNull("auth.jwks-url");
        if (pem != null && jwks != null) {
            throw bad("auth.jwks-url", "cannot be set together with auth.jwt-public-key: pick one key source");
        }
        URI url = null;
        if (jwks != null) {
            if (!jwks.matches("https?://.+")) {
                throw bad("auth.jwks-url", "must be an http:// or https:// URL");
            }
            try {
                url = new URI(jwks);
            } catch (java.net.URISyntaxException e) {
                throw bad("auth.jwks-url", "is not a URL: " + e.getReason());
            }
        }
        return new Config.PublicKeys(
                pem == null ? null : Path.of(pem),
                url,
                duration("auth.jwks-refresh", Duration.ofSeconds(10)),
                duration("auth.jwks-min-refetch", Duration.ZERO));
    }

    private Config.LastSeen lastSeen(String key) {
        String v = values.get(key).toLowerCase(Locale.ROOT);
        return switch (v) {
            case "exact" -> Config.LastSeen.EXACT;
            case "coarse" -> Config.LastSeen.COARSE;
            case "hidden" -> Config.LastSeen.HIDDEN;
            default -> throw bad(key, "must be exact, coarse or hidden");
        };
    }
}
