package io.parley.server.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The whole server configuration: immutable, validated once by {@link ConfigLoader}. Defaults live in
 * {@link ConfigLoader#DEFAULTS} and in docs/operations.md.
 */
public record Config(
        Http http,
        Path dataDir,
        Store store,
        Auth auth,
        WebSocket ws,
        Limits limits,
        Messages messages,
        Receipts receipts,
        Presence presence,
        Redis redis,
        Log log,
        Rates rates,
        Attachments attachments,
        Match match,
        Tls tls,
        Search search,
        Fcm fcm,
        Apns apns,
        Push push,
        Moderation moderation) {

    /**
     * The HTTP listener. {@code corsOrigins}: browser origins (besides the server's own) whose pages may call the
     * REST API ({@code http.cors-origins}; {@code "*"} any). {@code metricsToken}: when set, {@code /metrics} wants
     * it as a bearer token ({@code metrics.token}); null leaves /metrics open (keep it off the public network then).
     */
    public record Http(String host, int port, List<String> corsOrigins, String metricsToken) {}

    /**
     * Where messages live. {@code url} is {@code store.url} parsed by the loader: {@code sqlite:} (the file
     * parley.db under the data dir), {@code sqlite:/path/to/file.db}, or
     * {@code postgresql://user:password@host:port/db[?schema=name]} (then {@code readers} + {@code writers} is the
     * connection pool size). {@code writers}: PostgreSQL's writer lanes (conversations hashed to them); SQLite has one.
     */
    public record Store(StoreUrl url, boolean fsync, int maxBatch, int readers, int writers) {

        public boolean isSqlite() {
            return url instanceof StoreUrl.Sqlite;
        }

        /** The SQLite database file for a {@code sqlite:} URL. */
        public Path sqliteFile(Path dataDir) {
            return ((StoreUrl.Sqlite) url).file(dataDir);
        }
    }

    /**
     * Token settings. {@code jwtSecret} null means: generate one on first start and keep it in the data dir.
     * {@code issuer}/{@code audience} are checked on incoming tokens when set, and written into tokens Parley issues.
     */
    public record Auth(
            String jwtSecret,
            String issuer,
            String audience,
            Duration tokenTtl,
            boolean registrationEnabled,
            int bcryptCost,
            PublicKeys publicKeys,
            Duration clockSkew,
            Duration refreshTokenTtl,
            Duration refreshReuseGrace,
            List<String> admins) {}

    /**
     * RS256/ES256 verification keys besides the HS256 secret: a PEM public key file ({@code auth.jwt-public-key}) or
     * a JWKS URL ({@code auth.jwks-url}), at most one of the two; both null when only HS256 tokens are accepted.
     */
    public record PublicKeys(Path pemFile, URI jwksUrl, Duration jwksRefresh, Duration jwksMinRefetch) {
        public boolean enabled() {
            return pemFile != null || jwksUrl != null;
        }
    }

    /**
     * WebSocket gateway. {@code allowedOrigins} empty means same-origin only; {@code "*"} allows any origin.
     * Requests without an Origin header (non-browser clients) are always allowed.
     */
    public record WebSocket(
            List<String> allowedOrigins,
            Duration heartbeatInterval,
            Duration idleTimeout,
            Duration authTimeout,
            int maxOutboundBytes,
            int syncPageSize,
            int maxSyncBuffer,
            int maxConnections) {}

    /** Input limits; violations get documented error codes. */
    public record Limits(int maxFrameBytes, int maxBodyChars, int maxGroupSize, int maxPageSize, int defaultPageSize) {}

    /** Message changes: a sender edits their message for {@code editWindow} after sending it. */
    public record Messages(Duration editWindow) {}

    /**
     * Receipt cursors reported by clients are coalesced for {@code window}, then written in one transaction and fanned
     * out; conversations with more than {@code maxFanoutMembers} members send a member's receipts only to that
     * member's own devices.
     */
    public record Receipts(Duration window, int maxFanoutMembers) {}

    /**
     * Presence and typing. A session's presence lives {@code ttl} unless refreshed (every {@code refreshInterval});
     * changes go out in batches every {@code batchWindow}, only to users sharing a conversation of at most
     * {@code maxConversationSize} members. {@code lastSeen} is what others see of the time a user was last online.
     * Typing fans out at most once per {@code typingThrottle} per user and conversation and expires after
     * {@code typingTtl}, and not at all in conversations of more than {@code typingMaxConversationSize} members.
     */
    public record Presence(
            Duration ttl,
            Duration refreshInterval,
            Duration batchWindow,
            LastSeen lastSeen,
            int maxConversationSize,
            Duration typingThrottle,
            Duration typingTtl,
            int typingMaxConversationSize) {}

    /**
     * Cluster mode: {@code url} (redis://host:port[/db]) makes the node use Redis for fanout between nodes and for
     * presence and typing state; null runs everything in process (one node). {@code prefix} namespaces the keys and
     * channels of one deployment. {@code routeWrites}: each send is appended by the node that owns its conversation's
     * writes (redis.WriteRouting), waiting up to {@code routeTimeout} for that node's answer before appending it
     * itself.
     */
    public record Redis(String url, String prefix, boolean routeWrites, Duration routeTimeout) {
        public Redis(String url, String prefix) {
            this(url, prefix, false, Duration.ofSeconds(2));
        }

        public boolean enabled() {
            return url != null;
        }
    }

    /**
     * Logging of the process ({@code Main} applies it; in-process nodes leave the JVM's logging alone):
     * {@code format} of the lines on stderr, the root {@code level}, {@code levels} by logger name (a package's name
     * covers everything under it), and 1 in {@code deliveredSample} messages logged as {@code message_delivered} (0:
     * none). Levels are {@link #LEVELS}.
     */
    public record Log(LogFormat format, String level, java.util.Map<String, String> levels, int deliveredSample) {
        public static final List<String> LEVELS = List.of("off", "error", "warn", "info", "debug", "trace");
    }

    /** JSON lines, readable text, or text on a terminal and JSON lines otherwise. */
    public enum LogFormat {
        AUTO,
        JSON,
        TEXT
    }

    /**
     * A token bucket: at most {@code burst} at once, refilled at {@code burst} per {@code period} (written
     * {@code 30/10s}). {@code burst} 0 (written {@code 0}) is no limit.
     */
    public record Rate(int burst, Duration period) {
        public static final Rate UNLIMITED = new Rate(0, Duration.ofSeconds(1));

        public boolean unlimited() {
            return burst == 0;
        }

        @Override
        public String toString() {
            return unlimited() ? "0" : burst + "/" + period.toMillis() + "ms";
        }
    }

    /**
     * Rate limits ({@code rate.*}, docs/operations.md "Rate limits"): WebSocket and REST requests per user (sends per
     * user and conversation), logins and registrations per client address and per username, and the node's admission
     * of new WebSocket connections ({@code ws.connect-rate}); a refused connection is told to come back after a
     * delay spread over {@code admissionWindow}.
     */
    public record Rates(
            Rate send,
            Rate typing,
            Rate presence,
            Rate receipts,
            Rate edits,
            Rate reactions,
            Rate rest,
            Rate loginAddress,
            Rate loginUsername,
            Rate connect,
            Duration admissionWindow) {}

    /** Privacy of last seen: the exact time, the time rounded down to 15 minutes, or nothing. */
    public enum LastSeen {
        EXACT,
        COARSE,
        HIDDEN
    }

    /** A copy with another HTTP port (tests use port 0). */
    public Config withPort(int port) {
        return new Config(
                new Http(http.host(), port, http.corsOrigins(), http.metricsToken()),
                dataDir,
                store,
                auth,
                ws,
                limits,
                messages,
                receipts,
                presence,
                redis,
                log,
                rates,
                attachments,
                match,
                tls,
                search,
                fcm,
                apns,
                push,
                moderation);
    }

    /**
     * HTTPS and WSS on the node's one port: the PEM certificate chain {@code certFile} and its private key
     * {@code keyFile} ({@code tls.cert-file}, {@code tls.key-file}; both null: plain HTTP, e.g. behind a TLS-terminating
     * proxy). Both files are read again every {@code reloadInterval} and a changed pair replaces the served one without
     * a restart (0: never). {@code hstsMaxAge}: the Strict-Transport-Security max-age sent with every answer when TLS
     * is on (0: no header).
     */
    public record Tls(Path certFile, Path keyFile, Duration reloadInterval, Duration hstsMaxAge) {
        public boolean enabled() {
            return certFile != null;
        }
    }

    /**
     * Talk to a stranger (docs/operations.md, "Talk to a stranger"). {@code relaxAfter}: how long a join's interests
     * and language narrow the match; {@code grace}: how long a disconnected user's pair waits for a reconnect;
     * {@code lockTtl}: the life of a user's matching lock, renewed every third of it while the session lives;
     * {@code skipCooldown}: how long two users who skipped each other are not paired again; {@code maxScan}: how many
     * waiting users one join looks at, oldest first.
     */
    public record Match(Duration relaxAfter, Duration grace, Duration lockTtl, Duration skipCooldown, int maxScan) {
        /** Tickets, queue and live pairs: renewed every lockTtl / 3, so twice the lock's life is ample. */
        public Duration stateTtl() {
            return lockTtl.multipliedBy(2);
        }
    }

    /**
     * Attachments (docs/operations.md "Attachments"). {@code store}: {@code embedded} (files under {@code dir}, by
     * default the data dir's {@code blobs}, served by Parley; nodes may share a dir) or {@code s3}. {@code maxBytes} and {@code allowedTypes} limit uploads (types are sniffed
     * from the bytes). {@code slotTtl}: how long an upload URL lives (at most 5 minutes); {@code downloadTtl}: how
     * long a download URL lives (at most 60 s). {@code unreferencedTtl}: after it an upload no message refers to is
     * collected; {@code moderationHold}: how long a deleted message's files are kept (0: deleted at once).
     * {@code scanner}: {@code none} or {@code clamd} (at {@code clamdAddress}); a scan that fails is retried every
     * {@code scanRetry}, and the file stays pending unless {@code failOpen}.
     */
    public record Attachments(
            String store,
            Path dir,
            long maxBytes,
            List<String> allowedTypes,
            Duration slotTtl,
            Duration downloadTtl,
            Duration unreferencedTtl,
            Duration moderationHold,
            String scanner,
            String clamdAddress,
            Duration scanTimeout,
            Duration scanRetry,
            boolean failOpen,
            S3 s3) {}

    /** An S3-compatible store: endpoint (empty: AWS), region, bucket, credentials, path-style addressing. */
    public record S3(
            String endpoint, String region, String bucket, String accessKey, String secretKey, boolean pathStyle) {}

    /**
     * Message search. {@code indexing}: whether this node runs an indexer over the store's backlog
     * ({@code search.indexing}; off, searches answer from what is indexed and the backlog waits for a node that
     * indexes); {@code indexInterval}: how often the indexer looks at the backlog ({@code search.index-interval});
     * {@code indexBatch}: messages per indexing transaction ({@code search.index-batch}).
     */
    public record Search(boolean indexing, Duration indexInterval, int indexBatch) {}

    /**
     * Firebase Cloud Messaging (HTTP v1) for Android devices (docs/operations.md, "Setting up FCM / APNs"):
     * {@code serviceAccountFile} is the Google service account's JSON key ({@code push.fcm.service-account-file}; null:
     * FCM off); {@code endpoint} the FCM origin; {@code tokenUri} the OAuth2 token endpoint (null: the file's
     * {@code token_uri}); {@code timeout} bounds one HTTP exchange.
     */
    public record Fcm(Path serviceAccountFile, URI endpoint, URI tokenUri, Duration timeout) {
        public boolean enabled() {
            return serviceAccountFile != null;
        }
    }

    /**
     * Apple Push Notification service (HTTP/2, token auth) for iOS devices: the {@code .p8} signing key
     * {@code keyFile} with its {@code keyId}, the Apple developer {@code teamId}, the app's bundle id {@code topic}
     * ({@code push.apns.*}; all four or none: {@code keyFile} null is APNs off), the APNs origin {@code endpoint}
     * (production or sandbox) and the {@code timeout} of one request.
     */
    public record Apns(Path keyFile, String keyId, String teamId, String topic, URI endpoint, Duration timeout) {
        public boolean enabled() {
            return keyFile != null;
        }
    }

    /** What a push may say ({@code push.content}): nothing but "New message", the sender too, or the text too. */
    public enum PushContent {
        NONE,
        SENDER,
        FULL
    }

    /**
     * Offline push notifications ({@code push.*}, docs/operations.md "Push"). {@code enabled}: whether this node runs
     * push workers; {@code grace}: how long a message waits for a device of the recipient to receive it before it is
     * owed a push; {@code coalesceWindow}: the least time between two pushes of one conversation to one user (what
     * arrives meanwhile is one summary); {@code content}: the privacy level; {@code maxAttempts}: attempts before a
     * job becomes a dead letter; {@code backoffBase}/{@code backoffMax}: the exponential backoff's first step and cap
     * (full jitter); {@code rate}: pushes per user per node; {@code pollInterval}: how often the workers look at the
     * queue; {@code webPushTimeout}: one Web Push request's deadline; {@code webPushSubject}: the VAPID {@code sub}
     * (a mailto: or https: contact for the push services); {@code webPushTtl}: how long a push service keeps a
     * message for an offline browser.
     */
    public record Push(
            boolean enabled,
            Duration grace,
            Duration coalesceWindow,
            PushContent content,
            int maxAttempts,
            Duration backoffBase,
            Duration backoffMax,
            Rate rate,
            Duration pollInterval,
            Duration webPushTimeout,
            String webPushSubject,
            Duration webPushTtl) {}

    /**
     * The reputation that sends messages of low-reputation senders to the moderation queue ({@code moderation.*},
     * docs/operations.md "Server admins and moderation"). {@code enabled}: whether sends are screened at all;
     * {@code holdBelow}: a send whose sender's reputation (0 to 100) is below this is held; {@code newAccountAge}: an
     * account younger than this loses {@link #NEW_ACCOUNT_PENALTY}; {@code sendRate}: a send beyond this many sends
     * of its sender per period (every conversation together; a token bucket in the node's rate limiter, so across the
     * cluster with Redis) loses {@link #SEND_RATE_PENALTY} (unlimited: never);
     * {@code maxLinkDensity}: a message whose links per word exceed this loses {@link #LINK_PENALTY}; each report
     * the sender received loses {@link #REPORT_PENALTY}, at most {@link #MAX_REPORT_PENALTY} in all.
     */
    public record Moderation(
            boolean enabled, int holdBelow, Duration newAccountAge, Rate sendRate, double maxLinkDensity) {
        public static final int NEW_ACCOUNT_PENALTY = 40;
        public static final int SEND_RATE_PENALTY = 30;
        public static final int LINK_PENALTY = 30;
        public static final int REPORT_PENALTY = 10;
        public static final int MAX_REPORT_PENALTY = 50;

        /** Screening off: nothing is held. */
        public static final Moderation OFF = new Moderation(false, 50, Duration.ofDays(1), Rate.UNLIMITED, 1.0);
    }
}
