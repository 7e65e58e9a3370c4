package io.parley.server.config;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Builds a {@link Config} from, in increasing precedence: {@link #DEFAULTS}, a properties file, and environment
 * variables {@code PARLEY_<KEY>} (key upper-cased, dots and dashes as underscores: {@code http.port} ->
 * {@code PARLEY_HTTP_PORT}). Unknown keys in the file are rejected so typos do not pass silently.
 */
public final class ConfigLoader {

    /** Every key with its default. The order is the order of docs/operations.md. */
    public static final Map<String, String> DEFAULTS = defaults();

    private static Map<String, String> defaults() {
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
        d.put("auth.jwt-secret", "");
        d.put("auth.issuer", "parley");
        d.put("auth.audience", "");
        d.put("auth.token-ttl", "24h");
        d.put("auth.registration-enabled", "true");
        d.put("auth.bcrypt-cost", "10");
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
        d.put("redis.url", "");
        d.put("redis.prefix", "parley");
        d.put("log.format", "auto");
        d.put("log.level", "info");
        d.put("log.delivered-sample", "1000");
        d.put("search.indexing", "true");
        d.put("search.index-interval", "200ms");
        d.put("search.index-batch", "256");
        return java.util.Collections.unmodifiableMap(d);
    }

    /**
     * {@code log.level.<logger>}: the level of one logger and those under it (a package's name covers its classes and
     * sub-packages). The one key family not in {@link #DEFAULTS}: it has no default, any logger name may follow.
     */
    public static final String LOG_LEVEL_PREFIX = "log.level.";

    private ConfigLoader() {}

    /** Loads the file (if non-null) and the given environment over the defaults. */
    public static Config load(Path file, Map<String, String> env) {
        Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
        Map<String, String> source = new LinkedHashMap<>();
        DEFAULTS.keySet().forEach(k -> source.put(k, "default"));
        if (file != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
            }
            for (String key : p.stringPropertyNames()) {
                if (key.startsWith(LOG_LEVEL_PREFIX)) {
                    values.put(key, p.getProperty(key).trim());
                    source.put(key, file.toString());
                    continue;
                }
                if (!DEFAULTS.containsKey(key)) {
                    throw new ConfigException("unknown config key '" + key + "' in " + file + " (known keys: "
                            + String.join(", ", DEFAULTS.keySet()) + ")");
                }
                values.put(key, p.getProperty(key).trim());
                source.put(key, file.toString());
            }
        }
        for (String key : DEFAULTS.keySet()) {
            String v = env.get(envName(key));
            if (v != null) {
                values.put(key, v.trim());
                source.put(key, "environment " + envName(key));
            }
        }
        // PARLEY_LOG_LEVEL_IO_PARLEY_GATEWAY=debug is log.level.io.parley.gateway=debug (names of packages: lower
        // case, underscores as dots).
        String envPrefix = envName(LOG_LEVEL_PREFIX);
        env.forEach((name, v) -> {
            if (name.startsWith(envPrefix) && name.length() > envPrefix.length()) {
                String key = LOG_LEVEL_PREFIX
                        + name.substring(envPrefix.length())
                                .toLowerCase(Locale.ROOT)
                                .replace('_', '.');
                values.put(key, v.trim());
                source.put(key, "environment " + name);
            }
        });
        return new Parser(values, source).parse();
    }

    /** Defaults only (plus overrides), for tests and embedding. */
    public static Config defaultsWith(Map<String, String> overrides) {
        Map<String, String> env = new LinkedHashMap<>();
        overrides.forEach((k, v) -> {
            if (!DEFAULTS.containsKey(k) && !k.startsWith(LOG_LEVEL_PREFIX)) {
                throw new ConfigException("unknown config key '" + k + "'");
            }
            env.put(envName(k), v);
        });
        return load(null, env);
    }

    public static String envName(String key) {
        return "PARLEY_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static final class Parser {
        private final Map<String, String> values;
        private final Map<String, String> source;

        Parser(Map<String, String> values, Map<String, String> source) {
            this.values = values;
            this.source = source;
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
            Config.Store store = new Config.Store(
                    parsed, bool("store.fsync"), intIn("store.max-batch", 1, 100_000), intIn("store.readers", 1, 64));
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
                    duration("auth.clock-skew", Duration.ZERO));
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
                        "limits.default-page-size",
                        "must not exceed limits.max-page-size (" + limits.maxPageSize() + ")");
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
                    duration("receipts.window", Duration.ofMillis(10)),
                    intIn("receipts.max-fanout-members", 0, 1_000_000));
            Config.Presence presence = new Config.Presence(
                    duration("presence.ttl", Duration.ofMillis(100)),
                    duration("presence.refresh-interval", Duration.ofMillis(50)),
                    duration("presence.batch-window", Duration.ofMillis(10)),
                    lastSeen("presence.last-seen"),
                    intIn("presence.max-conversation-size", 0, 1_000_000),
                    duration("typing.throttle", Duration.ofMillis(10)),
                    duration("typing.ttl", Duration.ofMillis(100)));
            if (presence.refreshInterval().compareTo(presence.ttl()) >= 0) {
                throw bad(
                        "presence.refresh-interval",
                        "must be shorter than presence.ttl (" + values.get("presence.ttl") + ")");
            }
            String redisUrl = emptyToNull("redis.url");
            if (redisUrl != null && !redisUrl.matches("rediss?://.+")) {
                throw bad(
                        "redis.url",
                        "must look like redis://host:port (or be empty for the in-process mode)",
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
                    new Config.Redis(redisUrl, redisPrefix),
                    log(),
                    search());
        }

        private Config.Search search() {
            Duration interval = duration("search.index-interval", Duration.ofMillis(10));
            if (interval.compareTo(Duration.ofSeconds(60)) > 0) {
                throw bad("search.index-interval", "must be at most 60s");
            }
            return new Config.Search(bool("search.indexing"), interval, intIn("search.index-batch", 1, 10_000));
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
                if (key.startsWith(LOG_LEVEL_PREFIX)) {
                    String logger = key.substring(LOG_LEVEL_PREFIX.length());
                    if (!logger.matches("[A-Za-z0-9_$-]+(\\.[A-Za-z0-9_$-]+)*")) {
                        throw bad(
                                key,
                                "names no logger (log.level.<package or class>, e.g. log.level.io.parley.gateway)");
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

        /** A URL with its password (user:password@) replaced, for error messages. */
        private static String redact(String url) {
            return url.replaceAll("://([^:/@]*):[^@/]*@", "://$1:***@");
        }

        private ConfigException bad(String key, String why) {
            return bad(key, why, values.get(key));
        }

        private ConfigException bad(String key, String why, String shown) {
            return new ConfigException(
                    "invalid value for " + key + " (from " + source.get(key) + "): '" + shown + "' " + why);
        }

        private String nonEmpty(String key) {
            String v = values.get(key);
            if (v.isEmpty()) {
                throw bad(key, "must not be empty");
            }
            return v;
        }

        private String emptyToNull(String key) {
            String v = values.get(key);
            return v.isEmpty() ? null : v;
        }

        private int intIn(String key, int min, long max) {
            String v = values.get(key);
            long n;
            try {
                n = Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw bad(key, "is not an integer");
            }
            if (n < min || n > max) {
                throw bad(key, "must be between " + min + " and " + max);
            }
            return (int) n;
        }

        private boolean bool(String key) {
            String v = values.get(key).toLowerCase(Locale.ROOT);
            if (v.equals("true")) {
                return true;
            }
            if (v.equals("false")) {
                return false;
            }
            throw bad(key, "must be true or false");
        }

        /** Durations: a number with a unit ms, s, m, h or d (e.g. 250ms, 25s, 24h). */
        private Duration duration(String key, Duration min) {
            String v = values.get(key).toLowerCase(Locale.ROOT);
            java.util.regex.Matcher m =
                    java.util.regex.Pattern.compile("(\\d{1,9})(ms|s|m|h|d)").matcher(v);
            if (!m.matches()) {
                throw bad(key, "is not a duration (a number followed by ms, s, m, h or d, e.g. 25s)");
            }
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            if (d.compareTo(min) < 0) {
                throw bad(key, "must be at least " + min.toMillis() + "ms");
            }
            return d;
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

        private List<String> origins(String key) {
            String v = values.get(key);
            if (v.isEmpty()) {
                return List.of();
            }
            List<String> out = new ArrayList<>();
            for (String o : Arrays.asList(v.split(","))) {
                String t = o.trim();
                if (t.isEmpty()) {
                    continue;
                }
                if (!t.equals("*") && !t.matches("https?://[^/\\s]+")) {
                    throw bad(
                            key,
                            "entries must be '*' or origins like https://chat.example.com (no path), got '" + t + "'");
                }
                out.add(t.toLowerCase(Locale.ROOT));
            }
            return List.copyOf(out);
        }
    }
}
