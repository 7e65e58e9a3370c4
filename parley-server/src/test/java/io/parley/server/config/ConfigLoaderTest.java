package io.parley.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @Test
    void defaults_runEmbeddedOnLoopback8080WithDataUnderDotData() {
        Config c = ConfigLoader.load(null, Map.of());
        assertThat(c.http().host()).isEqualTo("127.0.0.1");
        assertThat(c.http().port()).isEqualTo(8080);
        assertThat(c.dataDir()).isEqualTo(Path.of("./data"));
        assertThat(c.store().isSqlite()).isTrue();
        assertThat(c.store().sqliteFile(c.dataDir())).isEqualTo(Path.of("./data/parley.db"));
        assertThat(c.auth().jwtSecret()).isNull();
        assertThat(c.ws().allowedOrigins()).isEmpty();
        assertThat(c.ws().heartbeatInterval()).isEqualTo(Duration.ofSeconds(25));
    }

    @Test
    void environment_overridesFile_whichOverridesDefaults(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("parley.properties");
        Files.writeString(
                file,
                "http.port=9000\nlimits.max-body-chars=100\nws.allowed-origins=https://a.example, https://b.example\n");
        Config c = ConfigLoader.load(file, Map.of("PARLEY_HTTP_PORT", "9100", "PARLEY_WS_IDLE_TIMEOUT", "90s"));
        assertThat(c.http().port()).isEqualTo(9100);
        assertThat(c.limits().maxBodyChars()).isEqualTo(100);
        assertThat(c.ws().idleTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.ws().allowedOrigins()).isEqualTo(List.of("https://a.example", "https://b.example"));
    }

    @Test
    void invalidValue_namesKeySourceAndValue() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_HTTP_PORT", "eighty")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("http.port")
                .hasMessageContaining("PARLEY_HTTP_PORT")
                .hasMessageContaining("'eighty'");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_HTTP_PORT", "70000")))
                .hasMessageContaining("between 0 and 65535");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_WS_HEARTBEAT_INTERVAL", "soon")))
                .hasMessageContaining("ws.heartbeat-interval")
                .hasMessageContaining("duration");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_STORE_URL", "mysql://x")))
                .hasMessageContaining("store.url");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_WS_ALLOWED_ORIGINS", "evil.com/path")))
                .hasMessageContaining("ws.allowed-origins");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_STORE_FSYNC", "yes")))
                .hasMessageContaining("true or false");
    }

    @Test
    void moderation_isOffByDefault_andItsThresholdsAreChecked() {
        Config.Moderation m = ConfigLoader.load(null, Map.of()).moderation();
        assertThat(m.enabled()).isFalse();
        assertThat(m.holdBelow()).isEqualTo(50);
        assertThat(m.newAccountAge()).hasHours(24);
        assertThat(m.sendRate()).isEqualTo(new Config.Rate(20, java.time.Duration.ofMinutes(1)));
        assertThat(m.maxLinkDensity()).isEqualTo(0.25);
        Config.Moderation on = ConfigLoader.load(
                        null, Map.of("PARLEY_MODERATION_ENABLED", "true", "PARLEY_MODERATION_MAX_LINK_DENSITY", "0.5"))
                .moderation();
        assertThat(on.enabled()).isTrue();
        assertThat(on.maxLinkDensity()).isEqualTo(0.5);
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_MODERATION_MAX_LINK_DENSITY", "lots")))
                .hasMessageContaining("moderation.max-link-density")
                .hasMessageContaining("is not a number");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_MODERATION_MAX_LINK_DENSITY", "1.5")))
                .hasMessageContaining("between 0 and 1");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_MODERATION_HOLD_BELOW", "200")))
                .hasMessageContaining("moderation.hold-below");
    }

    @Test
    void publicKeys_oneSourceAtMost_andJwksMustBeAnHttpUrl() {
        assertThat(ConfigLoader.load(null, Map.of()).auth().publicKeys().enabled())
                .isFalse();
        Config c = ConfigLoader.load(null, Map.of("PARLEY_AUTH_JWKS_URL", "https://idp.example/jwks.json"));
        assertThat(c.auth().publicKeys().jwksUrl()).hasToString("https://idp.example/jwks.json");
        assertThat(c.auth().publicKeys().jwksRefresh()).hasMinutes(10);
        assertThatThrownBy(() -> ConfigLoader.load(
                        null,
                        Map.of(
                                "PARLEY_AUTH_JWKS_URL",
                                "https://idp.example/jwks.json",
                                "PARLEY_AUTH_JWT_PUBLIC_KEY",
                                "/etc/key.pem")))
                .hasMessageContaining("auth.jwks-url")
                .hasMessageContaining("pick one");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_AUTH_JWKS_URL", "file:///etc/passwd")))
                .hasMessageContaining("http:// or https://");
    }

    @Test
    void shortSecret_isRejectedWithoutPrintingIt() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_AUTH_JWT_SECRET", "short-secret")))
                .hasMessageContaining("auth.jwt-secret")
                .hasMessageNotContaining("short-secret");
    }

    @Test
    void unknownKeyInFile_isRejected(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("p.properties");
        Files.writeString(file, "http.prot=9000\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
                .hasMessageContaining("unknown config key 'http.prot'");
    }

    @Test
    void storeWriters_oneByDefault_severalOnPostgresOnly() {
        assertThat(ConfigLoader.load(null, Map.of()).store().writers()).isEqualTo(1);
        Config pg = ConfigLoader.load(
                null, Map.of("PARLEY_STORE_URL", "postgresql://u@127.0.0.1:5432/db", "PARLEY_STORE_WRITERS", "3"));
        assertThat(pg.store().writers()).isEqualTo(3);
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_STORE_WRITERS", "2")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("store.writers")
                .hasMessageContaining("must be 1 with SQLite");
        assertThatThrownBy(() -> ConfigLoader.load(
                        null,
                        Map.of("PARLEY_STORE_URL", "postgresql://u@127.0.0.1:5432/db", "PARLEY_STORE_WRITERS", "0")))
                .hasMessageContaining("store.writers");
    }

    @Test
    void match_defaultsAndBadValues() {
        Config.Match m = ConfigLoader.load(null, Map.of()).match();
        assertThat(m.grace()).hasSeconds(15);
        assertThat(m.relaxAfter()).hasSeconds(10);
        assertThat(m.stateTtl()).isEqualTo(m.lockTtl().multipliedBy(2));
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_MATCH_LOCK_TTL", "100ms")))
                .hasMessageContaining("match.lock-ttl")
                .hasMessageContaining("at least 300ms");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_MATCH_MAX_SCAN", "0")))
                .hasMessageContaining("match.max-scan");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_MATCH_GRACE", "soon")))
                .hasMessageContaining("match.grace");
    }

    @Test
    void idleTimeout_mustExceedHeartbeat() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_WS_IDLE_TIMEOUT", "10s")))
                .hasMessageContaining("ws.idle-timeout");
    }

    @Test
    void rates_parseBurstAndPeriod_zeroIsNoLimit_andBadOnesNameKeySourceAndValue() {
        Config defaults = ConfigLoader.load(null, Map.of());
        assertThat(defaults.rates().send()).isEqualTo(new Config.Rate(30, Duration.ofSeconds(10)));
        assertThat(defaults.rates().loginAddress()).isEqualTo(new Config.Rate(20, Duration.ofMinutes(1)));
        assertThat(defaults.rates().connect()).isEqualTo(new Config.Rate(4000, Duration.ofSeconds(2)));
        assertThat(defaults.rates().admissionWindow()).isEqualTo(Duration.ofSeconds(15));
        assertThat(ConfigLoader.defaultsWith(Map.of("rate.typing", "0"))
                        .rates()
                        .typing()
                        .unlimited())
                .isTrue();
        assertThat(ConfigLoader.defaultsWith(Map.of("rate.rest", "5/250ms"))
                        .rates()
                        .rest())
                .isEqualTo(new Config.Rate(5, Duration.ofMillis(250)));
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_RATE_SEND", "30 per 10s")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("rate.send")
                .hasMessageContaining("PARLEY_RATE_SEND")
                .hasMessageContaining("'30 per 10s'")
                .hasMessageContaining("N/duration");
        assertThatThrownBy(() -> ConfigLoader.defaultsWith(Map.of("ws.connect-rate", "0/1s")))
                .hasMessageContaining("ws.connect-rate")
                .hasMessageContaining("burst of 1 to 1000000");
        assertThatThrownBy(() -> ConfigLoader.defaultsWith(Map.of("rate.login-username", "10/2d")))
                .hasMessageContaining("rate.login-username");
        assertThatThrownBy(() -> ConfigLoader.defaultsWith(Map.of("rate.receipts", "1000000/1ms")))
                .hasMessageContaining("faster than one per microsecond");
        assertThatThrownBy(() -> ConfigLoader.defaultsWith(Map.of("ws.admission-window", "10ms")))
                .hasMessageContaining("ws.admission-window");
    }

    @Test
    void logSettings_fromFileAndEnvironment_withLevelsPerLogger(@TempDir Path dir) throws Exception {
        Config defaults = ConfigLoader.load(null, Map.of());
        assertThat(defaults.log().format()).isEqualTo(Config.LogFormat.AUTO);
        assertThat(defaults.log().level()).isEqualTo("info");
        assertThat(defaults.log().levels()).isEmpty();
        assertThat(defaults.log().deliveredSample()).isEqualTo(1000);
        assertThat(defaults.ws().maxConnections()).isZero();

        Path file = dir.resolve("parley.properties");
        Files.writeString(
                file, "log.format=JSON\nlog.level.io.parley.gateway=debug\nlog.level.com.zaxxer.hikari=warn\n");
        Config c = ConfigLoader.load(
                file,
                Map.of(
                        "PARLEY_LOG_LEVEL", "warn",
                        "PARLEY_LOG_LEVEL_IO_PARLEY_ACCESS", "DEBUG",
                        "PARLEY_LOG_LEVEL_IO_PARLEY_GATEWAY", "trace"));
        assertThat(c.log().format()).isEqualTo(Config.LogFormat.JSON);
        assertThat(c.log().level()).isEqualTo("warn");
        assertThat(c.log().levels())
                .isEqualTo(
                        Map.of("io.parley.gateway", "trace", "io.parley.access", "debug", "com.zaxxer.hikari", "warn"));
        assertThat(ConfigLoader.defaultsWith(Map.of("log.level.io.parley.auth", "off"))
                        .log()
                        .levels())
                .isEqualTo(Map.of("io.parley.auth", "off"));
    }

    @Test
    void badLogSettings_nameKeySourceAndValue(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_LOG_FORMAT", "xml")))
                .hasMessageContaining("log.format")
                .hasMessageContaining("PARLEY_LOG_FORMAT")
                .hasMessageContaining("'xml'")
                .hasMessageContaining("auto, json or text");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_LOG_LEVEL_IO_PARLEY_API", "loud")))
                .hasMessageContaining("log.level.io.parley.api")
                .hasMessageContaining("PARLEY_LOG_LEVEL_IO_PARLEY_API")
                .hasMessageContaining("'loud'")
                .hasMessageContaining("off, error, warn, info, debug, trace");
        Path file = dir.resolve("parley.properties");
        Files.writeString(file, "log.level.io..parley=debug\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
                .hasMessageContaining("log.level.io..parley")
                .hasMessageContaining("names no logger");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_LOG_DELIVERED_SAMPLE", "-1")))
                .hasMessageContaining("log.delivered-sample");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_WS_MAX_CONNECTIONS", "many")))
                .hasMessageContaining("ws.max-connections");
    }

    @Test
    void redisUrl_acceptsOneRedisOrAClusterOfSeeds_andRefusesAnotherScheme() {
        assertThat(ConfigLoader.load(null, Map.of("PARLEY_REDIS_URL", "redis-cluster://10.0.0.1:6379,10.0.0.2:6379"))
                        .redis()
                        .url())
                .isEqualTo("redis-cluster://10.0.0.1:6379,10.0.0.2:6379");
        assertThat(ConfigLoader.load(null, Map.of("PARLEY_REDIS_URL", "redis://127.0.0.1:6379"))
                        .redis()
                        .enabled())
                .isTrue();
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_REDIS_URL", "sentinel://10.0.0.1:26379")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("redis.url")
                .hasMessageContaining("redis-cluster://");
    }

    @Test
    void attachments_limitsOfSignedUrls_andStoreAndScannerChoices_areChecked() {
        Config.Attachments a = ConfigLoader.load(null, Map.of()).attachments();
        assertThat(a.store()).isEqualTo("embedded");
        assertThat(a.scanner()).isEqualTo("none");
        assertThat(a.slotTtl()).hasMinutes(5);
        assertThat(a.downloadTtl()).hasSeconds(60);
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_ATTACHMENTS_SLOT_TTL", "6m")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("attachments.slot-ttl")
                .hasMessageContaining("at most 5m");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_ATTACHMENTS_DOWNLOAD_TTL", "61s")))
                .hasMessageContaining("attachments.download-ttl");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_ATTACHMENTS_STORE", "s3")))
                .hasMessageContaining("attachments.s3.bucket");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_ATTACHMENTS_SCANNER", "sophos")))
                .hasMessageContaining("attachments.scanner");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_ATTACHMENTS_CLAMD_ADDRESS", "clamd:3310")))
                .hasMessageContaining("attachments.clamd.address");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_ATTACHMENTS_ALLOWED_TYPES", "image/png,<b>")))
                .hasMessageContaining("attachments.allowed-types");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_ATTACHMENTS_MAX_BYTES", "0")))
                .hasMessageContaining("attachments.max-bytes");
    }

    @Test
    void badSearchSettings_nameKeySourceAndValue() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_SEARCH_INDEXING", "sometimes")))
                .hasMessageContaining("search.indexing")
                .hasMessageContaining("PARLEY_SEARCH_INDEXING")
                .hasMessageContaining("'sometimes'");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_SEARCH_INDEX_INTERVAL", "5ms")))
                .hasMessageContaining("search.index-interval");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_SEARCH_INDEX_INTERVAL", "2m")))
                .hasMessageContaining("search.index-interval")
                .hasMessageContaining("at most 60s");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_SEARCH_INDEX_BATCH", "0")))
                .hasMessageContaining("search.index-batch");
        Config c = ConfigLoader.load(null, Map.of());
        assertThat(c.search()).isEqualTo(new Config.Search(true, java.time.Duration.ofMillis(200), 256));
    }

    @Test
    void pushProviders_offUnlessConfigured_andAHalfConfiguredOneNamesTheMissingKey() {
        Config off = ConfigLoader.load(null, Map.of());
        assertThat(off.fcm().enabled()).isFalse();
        assertThat(off.apns().enabled()).isFalse();
        assertThat(off.fcm().endpoint()).hasToString("https://fcm.googleapis.com");
        assertThat(off.apns().endpoint()).hasToString("https://api.push.apple.com");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_PUSH_FCM_TOKEN_URI", "http://127.0.0.1:1/t")))
                .hasMessageContaining("push.fcm.service-account-file")
                .hasMessageContaining("must be set");
        assertThatThrownBy(() -> ConfigLoader.load(
                        null, Map.of("PARLEY_PUSH_APNS_KEY_FILE", "/k.p8", "PARLEY_PUSH_APNS_KEY_ID", "ABC123DEFG")))
                .hasMessageContaining("push.apns.team-id")
                .hasMessageContaining("must be set");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_PUSH_APNS_TOPIC", "com.example.chat")))
                .hasMessageContaining("push.apns.key-file");
        Map<String, String> apns = new java.util.HashMap<>(Map.of(
                "PARLEY_PUSH_APNS_KEY_FILE", "/k.p8",
                "PARLEY_PUSH_APNS_KEY_ID", "ABC123DEFG",
                "PARLEY_PUSH_APNS_TEAM_ID", "TEAM123456",
                "PARLEY_PUSH_APNS_TOPIC", "com.example.chat"));
        Config on = ConfigLoader.load(null, apns);
        assertThat(on.apns().enabled()).isTrue();
        assertThat(on.apns().teamId()).isEqualTo("TEAM123456");
        apns.put("PARLEY_PUSH_APNS_KEY_ID", "abc");
        assertThatThrownBy(() -> ConfigLoader.load(null, apns)).hasMessageContaining("push.apns.key-id");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_PUSH_FCM_ENDPOINT", "fcm.example.com")))
                .hasMessageContaining("push.fcm.endpoint");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_PUSH_APNS_TIMEOUT", "10ms")))
                .hasMessageContaining("push.apns.timeout");
    }

    @Test
    void pushSettings_haveDefaultsADeploymentCanKeep_andBadValuesNameTheirKey() {
        Config.Push push = ConfigLoader.load(null, Map.of()).push();
        assertThat(push.enabled()).isTrue();
        assertThat(push.grace()).isEqualTo(java.time.Duration.ofSeconds(5));
        assertThat(push.content()).isEqualTo(Config.PushContent.NONE);
        assertThat(push.webPushSubject()).startsWith("mailto:");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_PUSH_CONTENT", "everything")))
                .hasMessageContaining("push.content")
                .hasMessageContaining("none, sender or full");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_PUSH_WEBPUSH_SUBJECT", "ops@example.com")))
                .hasMessageContaining("push.webpush.subject");
        assertThatThrownBy(() -> ConfigLoader.load(
                        null, Map.of("PARLEY_PUSH_BACKOFF_BASE", "10s", "PARLEY_PUSH_BACKOFF_MAX", "1s")))
                .hasMessageContaining("push.backoff-max");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_PUSH_MAX_ATTEMPTS", "0")))
                .hasMessageContaining("push.max-attempts");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("PARLEY_PUSH_RATE", "lots")))
                .hasMessageContaining("push.rate");
    }
}
