package io.parley.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.Rest;
import io.parley.server.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The admin commands on SQLite in a temp data dir, and what only SQLite has: backup and restore. */
class SqliteAdminTest extends AdminCommandsContract {

    @Override
    Map<String, String> storeSettings() {
        return Map.of();
    }

    @Override
    Connection raw() throws SQLException {
        // No foreign_keys pragma: the constraints Parley's own connections enforce are off here.
        return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/parley.db"));
    }

    @Override
    void wipeSearchIndex() throws SQLException {
        // The index has a file of its own beside the store's (SqliteSearchFile).
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/parley.db-search"));
                java.sql.Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM search_docs");
        }
    }

    @Override
    void dropMemberUserForeignKey() {
        // Foreign keys are enforced per connection in SQLite, and raw() does not turn them on.
    }

    private Path data() {
        return dir.resolve("data");
    }

    /** Name and bytes of every file under {@code d} (the attachments' blobs/ directory included). */
    private static Map<String, byte[]> files(Path d) throws Exception {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(d)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                out.put(d.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }

    /** A server on {@code dataDir} with a generated jwt-secret (the default), and commands configured for it. */
    private AdminRun serveWithGeneratedSecret(Path dataDir) {
        server = new TestServer(dataDir, Map.of("auth.jwt-secret", "")).start();
        return adminFor(dataDir, server.port());
    }

    private AdminRun adminFor(Path dataDir, int port) {
        Map<String, String> settings = new HashMap<>();
        settings.put("data.dir", dataDir.toString());
        settings.put("http.port", Integer.toString(port));
        return new AdminRun(dir, settings);
    }

    private int messages(String token, String conv) {
        Rest.Response r = new Rest(server.httpUrl(), token).get("/api/v1/conversations/" + conv + "/messages");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().getJsonArray("messages").size();
    }

    @Test
    void verify_changesNothing() throws Exception {
        conversationWithMessages(register("alice"), register("bob"));
        server.stop();
        Map<String, byte[]> before = files(data());

        AdminRun.Result r = admin.run("verify");

        assertThat(r.status()).as(r.toString()).isZero();
        Map<String, byte[]> after = files(data());
        // The database and its write-ahead log are byte for byte as they were; a reader of a WAL database whose log
        // was removed by the server's last close opens an empty one (the -shm beside it is SQLite's shared-memory index
        // of the log, no data, which every reader maps and may touch).
        // The same for the search index's file (parley.db-search).
        for (String name : List.of(
                "parley.db",
                "parley.db-wal",
                "parley.db-search",
                "parley.db-search-wal",
                "jwt-secret",
                "vapid-keys",
                "parley.lock")) {
            byte[] was = before.get(name);
            byte[] is = after.get(name);
            boolean emptyLogOpened = name.endsWith("-wal") && was == null && is != null && is.length == 0;
            assertThat(Arrays.equals(was, is) || emptyLogOpened)
                    .as(name + " unchanged (was " + (was == null ? "absent" : was.length + " bytes") + ", is "
                            + (is == null ? "absent" : is.length + " bytes") + ")")
                    .isTrue();
        }
        assertThat(after.keySet())
                .isSubsetOf(Set.of(
                        "parley.db",
                        "parley.db-wal",
                        "parley.db-shm",
                        "parley.db-search",
                        "parley.db-search-wal",
                        "parley.db-search-shm",
                        "jwt-secret",
                        "vapid-keys",
                        "parley.lock"));
    }

    @Test
    void verify_ofAMissingDatabase_failsWithoutCreatingOne() {
        AdminRun other = adminFor(dir.resolve("elsewhere"), 0);

        AdminRun.Result r = other.run("verify");

        assertThat(r.status()).as(r.toString()).isEqualTo(Admin.FAILED);
        assertThat(r.err()).contains("no database at");
        assertThat(dir.resolve("elsewhere")).doesNotExist();
    }

    @Test
    void backupWhileServing_thenRestoreIntoAFreshDataDir_bringsBackTheMessagesAndTheTokens() throws Exception {
        server.stop();
        AdminRun live = serveWithGeneratedSecret(data());
        JsonObject alice = register("alice");
        String conv = conversationWithMessages(alice, register("bob"));
        Path backup = dir.resolve("backups/parley-1.db");
        Files.createDirectories(backup.getParent());

        AdminRun.Result b = live.run("backup", "--out", backup.toString());
        Rest.Response later = new Rest(server.httpUrl(), alice.getString("token"))
                .post(
                        "/api/v1/conversations/" + conv + "/messages",
                        new JsonObject().put("clientMsgId", "after-backup").put("body", "not in the backup"));
        AdminRun.Result again = live.run("backup", "--out", backup.toString());

        assertThat(b.status()).as(b.toString()).isZero();
        assertThat(later.status()).isBetween(200, 201);
        assertThat(again.status()).as(again.toString()).isEqualTo(Admin.FAILED);
        assertThat(Files.readAllBytes(dir.resolve("backups/parley-1.db.jwt-secret")))
                .isEqualTo(Files.readAllBytes(data().resolve("jwt-secret")));
        server.stop();

        Path fresh = dir.resolve("fresh");
        AdminRun.Result restored = adminFor(fresh, 0).run("restore", "--from", backup.toString());

        assertThat(restored.status()).as(restored.toString()).isZero();
        server = new TestServer(fresh, Map.of("auth.jwt-secret", "")).start();
        assertThat(new Rest(server.httpUrl(), alice.getString("token"))
                        .get("/api/v1/me")
                        .status())
                .as("a token issued before the backup")
                .isEqualTo(200);
        assertThat(messages(alice.getString("token"), conv)).isEqualTo(3);
        assertThat(adminFor(fresh, server.port()).run("verify").status()).isZero();
    }

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    private static final byte[] PDF =
            "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
                    .getBytes(StandardCharsets.US_ASCII);

    /** Slot, PUT to the embedded store's signed URL, finalize, and a message with it: the attachment's id. */
    private String sendPdf(Rest alice, String conv) throws Exception {
        Rest.Response slot = alice.post(
                "/api/v1/conversations/" + conv + "/attachments",
                new JsonObject()
                        .put("name", "plan.pdf")
                        .put("contentType", "application/pdf")
                        .put("size", PDF.length));
        assertThat(slot.status()).as(slot.toString()).isEqualTo(201);
        String url = slot.json().getJsonObject("upload").getString("url");
        HttpResponse<String> put = HTTP.send(
                HttpRequest.newBuilder(URI.create(server.httpUrl() + url))
                        .header("Content-Type", "application/pdf")
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(PDF))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        String id = slot.json().getString("id");
        assertThat(alice.post("/api/v1/attachments/" + id + "/finalize", null).status())
                .isEqualTo(200);
        Rest.Response sent = alice.post(
                "/api/v1/conversations/" + conv + "/attachment-messages",
                new JsonObject()
                        .put("clientMsgId", "with-pdf")
                        .put("caption", "the plan")
                        .put("attachments", new JsonArray().add(id)));
        assertThat(sent.status()).as(sent.toString()).isBetween(200, 201);
        return id;
    }

    /** The attachment's bytes through the members-only download and the signed URL it redirects to. */
    private byte[] download(String token, String id) throws Exception {
        HttpResponse<String> first = HTTP.send(
                HttpRequest.newBuilder(URI.create(server.httpUrl() + "/api/v1/attachments/" + id + "/download"))
                        .header("Authorization", "Bearer " + token)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(first.statusCode()).as(first.body()).isEqualTo(302);
        HttpResponse<byte[]> blob = HTTP.send(
                HttpRequest.newBuilder(URI.create(server.httpUrl()
                                + first.headers().firstValue("location").orElseThrow()))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(blob.statusCode()).isEqualTo(200);
        return blob.body();
    }

    private String vapidPublicKey(String token) {
        Rest.Response r = new Rest(server.httpUrl(), token).get("/api/v1/push/vapid-public-key");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().getString("publicKey");
    }

    @Test
    void backup_keepsTheVapidKeysAndTheAttachments_andARestoreOverAnotherNodesFilesBringsThemBack() throws Exception {
        server.stop();
        AdminRun live = serveWithGeneratedSecret(data());
        JsonObject alice = register("alice");
        String token = alice.getString("token");
        String conv = conversationWithMessages(alice, register("bob"));
        String attachment = sendPdf(new Rest(server.httpUrl(), token), conv);
        String vapid = vapidPublicKey(token);
        Path backup = dir.resolve("backups/parley-2.db");
        Files.createDirectories(backup.getParent());

        AdminRun.Result b = live.run("backup", "--out", backup.toString());

        assertThat(b.status()).as(b.toString()).isZero();
        assertThat(b.out()).contains("vapid-keys copied to").contains("1 attachment blob(s) copied to");
        assertThat(Files.readAllBytes(dir.resolve("backups/parley-2.db.vapid-keys")))
                .isEqualTo(Files.readAllBytes(data().resolve("vapid-keys")));
        Map<String, byte[]> blobs = files(data().resolve("blobs"));
        blobs.keySet().removeIf(name -> name.startsWith(".incoming"));
        assertThat(blobs).hasSize(1);
        assertThat(files(dir.resolve("backups/parley-2.db.blobs")))
                .containsOnlyKeys(blobs.keySet())
                .allSatisfy((name, bytes) -> assertThat(bytes).isEqualTo(PDF));
        assertThat(live.run("backup", "--out", backup.toString()).status())
                .as("the files beside exist")
                .isEqualTo(Admin.FAILED);
        server.stop();

        // Another node's data dir, with a VAPID key pair and a secret of its own: the restore keeps them aside.
        Path other = dir.resolve("other");
        server = new TestServer(other, Map.of("auth.jwt-secret", "")).start();
        server.stop();
        byte[] otherVapid = Files.readAllBytes(other.resolve("vapid-keys"));
        AdminRun.Result restored = adminFor(other, 0).run("restore", "--from", backup.toString(), "--force");

        assertThat(restored.status()).as(restored.toString()).isZero();
        assertThat(restored.out()).contains("vapid-keys restored from").contains("1 attachment blob(s) restored to");
        try (Stream<Path> list = Files.list(other)) {
            Path aside = list.filter(p -> p.getFileName().toString().startsWith("vapid-keys.before-restore-"))
                    .findFirst()
                    .orElseThrow();
            assertThat(Files.readAllBytes(aside)).isEqualTo(otherVapid);
        }
        server = new TestServer(other, Map.of("auth.jwt-secret", "")).start();
        assertThat(vapidPublicKey(token))
                .as("browser subscriptions made before the backup keep working")
                .isEqualTo(vapid);
        assertThat(download(token, attachment)).isEqualTo(PDF);
    }

    @Test
    void restore_isRefusedWhileTheServerAnswers_andReplacesOnlyWithForce_keepingTheOldFilesAside() throws Exception {
        JsonObject alice = register("alice");
        String conv = conversationWithMessages(alice, register("bob"));
        Path backup = dir.resolve("b.db");
        assertThat(admin.run("backup", "--out", backup.toString()).status()).isZero();
        new Rest(server.httpUrl(), alice.getString("token"))
                .post(
                        "/api/v1/conversations/" + conv + "/messages",
                        new JsonObject().put("clientMsgId", "after-backup").put("body", "gone after restore"));

        AdminRun.Result whileServing = admin.run("restore", "--from", backup.toString(), "--force");
        int port = server.port();
        server.stop();
        AdminRun.Result withoutForce = admin.run("restore", "--from", backup.toString());
        AdminRun.Result forced = admin.run("restore", "--from", backup.toString(), "--force");

        assertThat(whileServing.status()).as(whileServing.toString()).isEqualTo(Admin.FAILED);
        assertThat(whileServing.err()).contains("answers on 127.0.0.1:" + port);
        assertThat(withoutForce.status()).as(withoutForce.toString()).isEqualTo(Admin.FAILED);
        assertThat(withoutForce.err()).contains("--force");
        assertThat(forced.status()).as(forced.toString()).isZero();
        try (Stream<Path> list = Files.list(data())) {
            assertThat(list.map(p -> p.getFileName().toString()))
                    .anyMatch(n -> n.startsWith("parley.db.before-restore-"));
        }
        server = new TestServer(data()).start();
        assertThat(messages(alice.getString("token"), conv)).isEqualTo(3);
    }

    @Test
    void restore_isRefusedWhileAnotherHolderLocksTheDataDir() throws Exception {
        conversationWithMessages(register("alice"), register("bob"));
        Path backup = dir.resolve("b.db");
        assertThat(admin.run("backup", "--out", backup.toString()).status()).isZero();
        server.stop();
        Path lock = data().resolve("parley.lock");

        AdminRun.Result r;
        try (FileChannel held = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                java.nio.channels.FileLock ignored = held.lock()) {
            r = admin.run("restore", "--from", backup.toString(), "--force");
        }

        assertThat(r.status()).as(r.toString()).isEqualTo(Admin.FAILED);
        assertThat(r.err()).contains("holds " + lock);
        try (Stream<Path> list = Files.list(data())) {
            assertThat(list.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("before-restore"));
        }
    }

    @Test
    void restore_refusesAFileThatIsNoParleyDatabase() throws Exception {
        server.stop();
        Path junk = dir.resolve("junk.db");
        Files.writeString(junk, "this is not a database, only text long enough to look like a header to nobody");
        Path empty = dir.resolve("empty.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + empty)) {
            c.createStatement().execute("CREATE TABLE t (x INTEGER)");
        }

        AdminRun.Result notSqlite = admin.run("restore", "--from", junk.toString(), "--force");
        AdminRun.Result notParley = admin.run("restore", "--from", empty.toString(), "--force");

        assertThat(notSqlite.status()).as(notSqlite.toString()).isEqualTo(Admin.FAILED);
        assertThat(notParley.status()).as(notParley.toString()).isEqualTo(Admin.FAILED);
        assertThat(notParley.err()).contains("no Parley schema");
    }
}
