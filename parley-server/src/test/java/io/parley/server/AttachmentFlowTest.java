package io.parley.server;

import static io.parley.server.AttachmentSupport.awaitStatus;
import static io.parley.server.AttachmentSupport.download;
import static io.parley.server.AttachmentSupport.send;
import static io.parley.server.AttachmentSupport.slot;
import static io.parley.server.AttachmentSupport.upload;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.clamd.ClamdProcess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attachments end to end on a real node (embedded blob store, real HTTP, a real clamd where scanning matters): the
 * flow, the status events in the log, and each access rule as its own test.
 */
class AttachmentFlowTest {

    private static List<JsonObject> events(Rest rest, String conversationId) {
        JsonArray a = rest.get("/api/v1/conversations/" + conversationId + "/events?after=0&limit=200")
                .json()
                .getJsonArray("events");
        List<JsonObject> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            out.add(a.getJsonObject(i));
        }
        return out;
    }

    private static List<String> attachmentStatuses(Rest rest, String conversationId, String attachmentId) {
        List<String> out = new ArrayList<>();
        for (JsonObject e : events(rest, conversationId)) {
            if ("attachment".equals(e.getString("kind"))
                    && e.getJsonObject("attachment") != null
                    && attachmentId.equals(e.getJsonObject("attachment").getString("id"))) {
                out.add(e.getJsonObject("attachment").getString("status"));
            }
        }
        return out;
    }

    @Test
    void imageAndPdf_sentByAlice_reachBobAsEvents_withThumbnail_andDownloadWhole(@TempDir Path dir) throws Exception {
        try (TestServer server = new TestServer(dir).start()) {
            String base = server.httpUrl();
            Rest alice = new Rest(base, TestServer.token("alice"));
            Rest bob = new Rest(base, TestServer.token("bob"));
            bob.get("/api/v1/me");
            String dm = alice.direct("bob");
            byte[] png = AttachmentSupport.png(1200, 800);
            String img = upload(alice, base, dm, "photo.png", "image/png", png);
            String pdf = upload(alice, base, dm, "report.pdf", "application/pdf", AttachmentSupport.PDF);
            awaitStatus(alice, img, "ready");
            awaitStatus(alice, pdf, "ready");
            Rest.Response sent = send(alice, dm, "c1", "holiday", img, pdf);
            assertThat(sent.status()).isEqualTo(201);
            assertThat(sent.json().getJsonArray("events")).hasSize(2);
            String messageId = sent.json().getString("messageId");

            List<JsonObject> log = events(bob, dm);
            JsonObject message = log.stream()
                    .filter(e -> messageId.equals(e.getString("messageId")) && "message".equals(e.getString("kind")))
                    .findFirst()
                    .orElseThrow();
            assertThat(message.getString("body")).isEqualTo("holiday");
            assertThat(attachmentStatuses(bob, dm, img)).containsExactly("ready");
            JsonObject imgInfo = bob.get("/api/v1/attachments/" + img).json();
            assertThat(imgInfo.getInteger("width")).isEqualTo(1200);
            assertThat(imgInfo.getInteger("height")).isEqualTo(800);
            assertThat(imgInfo.getBoolean("thumbnail")).isTrue();

            HttpResponse<byte[]> thumb = download(base, TestServer.token("bob"), img, true);
            assertThat(thumb.statusCode()).isEqualTo(200);
            var t = ImageIO.read(new ByteArrayInputStream(thumb.body()));
            assertThat(Math.max(t.getWidth(), t.getHeight())).isEqualTo(320);
            HttpResponse<byte[]> full = download(base, TestServer.token("bob"), img, false);
            assertThat(full.statusCode()).isEqualTo(200);
            assertThat(full.headers().firstValue("content-type")).hasValue("image/png");
            assertThat(ImageIO.read(new ByteArrayInputStream(full.body())).getWidth())
                    .isEqualTo(1200);
            HttpResponse<byte[]> file = download(base, TestServer.token("bob"), pdf, false);
            assertThat(file.body()).isEqualTo(AttachmentSupport.PDF);
            assertThat(file.headers().firstValue("content-disposition").orElse(""))
                    .startsWith("attachment");
            assertThat(file.headers().firstValue("x-content-type-options")).hasValue("nosniff");
        }
    }

    @Test
    void aScannedFile_isPendingThenReady_inTheLog_soResumeReplaysBoth(@TempDir Path dir) throws Exception {
        Path clamdDir = dir.resolve("clamd");
        java.nio.file.Files.createDirectories(clamdDir);
        String address = "unix:" + clamdDir.resolve("clamd.sock");
        // clamd is down at first: the file stays pending (fail closed), the failure is counted, the scan retried.
        try (TestServer server = new TestServer(
                        dir.resolve("node"),
                        Map.of(
                                "attachments.scanner", "clamd",
                                "attachments.clamd.address", address,
                                "attachments.scan-retry", "500ms"))
                .start()) {
            String base = server.httpUrl();
            Rest alice = new Rest(base, TestServer.token("alice"));
            new Rest(base, TestServer.token("bob")).get("/api/v1/me");
            String dm = alice.direct("bob");
            String id = upload(
                    alice, base, dm, "notes.txt", "text/plain", "clean words\n".getBytes(StandardCharsets.UTF_8));
            assertThat(send(alice, dm, "c1", null, id).status()).isEqualTo(201);
            assertThat(attachmentStatuses(alice, dm, id)).containsExactly("pending");
            assertThat(download(base, TestServer.token("bob"), id, false).statusCode())
                    .isEqualTo(409);
            Poll.until(
                    () -> server.server()
                            .metricsText()
                            .contains("parley_attachment_scan_failures_total{scanner=\"clamd\"}"),
                    java.time.Duration.ofSeconds(10),
                    "the failed scan is counted");
            try (ClamdProcess clamd = ClamdProcess.start(clamdDir)) {
                awaitStatus(alice, id, "ready");
            }
            assertThat(attachmentStatuses(alice, dm, id)).containsExactly("pending", "ready");
            assertThat(download(base, TestServer.token("bob"), id, false).statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void eicar_isRejected_neverServed_theLogSaysSo_andTheSenderCannotSendItAgain(@TempDir Path dir) throws Exception {
        Path clamdDir = java.nio.file.Files.createDirectories(dir.resolve("clamd"));
        String address = "unix:" + clamdDir.resolve("clamd.sock");
        try (TestServer server = new TestServer(
                        dir.resolve("node"),
                        Map.of(
                                "attachments.scanner", "clamd",
                                "attachments.clamd.address", address,
                                "attachments.scan-retry", "500ms"))
                .start()) {
            String base = server.httpUrl();
            Rest alice = new Rest(base, TestServer.token("alice"));
            new Rest(base, TestServer.token("bob")).get("/api/v1/me");
            String dm = alice.direct("bob");
            byte[] eicar = ClamdProcess.EICAR.getBytes(StandardCharsets.US_ASCII);
            // Sent while clamd is still down: the message goes out with the file pending.
            String id = upload(alice, base, dm, "eicar.txt", "text/plain", eicar);
            assertThat(send(alice, dm, "c1", "look", id).status()).isEqualTo(201);
            try (ClamdProcess clamd = ClamdProcess.start(clamdDir)) {
                awaitStatus(alice, id, "rejected");
                assertThat(attachmentStatuses(alice, dm, id)).containsExactly("pending", "rejected");
                assertThat(download(base, TestServer.token("bob"), id, false).statusCode())
                        .isEqualTo(404);
                assertThat(download(base, TestServer.token("alice"), id, false).statusCode())
                        .isEqualTo(404);
                // Uploaded again while clamd is up: rejected before any message refers to it.
                String again = upload(alice, base, dm, "eicar2.txt", "text/plain", eicar);
                awaitStatus(alice, again, "rejected");
                assertThat(send(alice, dm, "c2", null, again).errorCode()).isEqualTo("attachment_not_usable");
            }
            assertThat(server.server().metricsText())
                    .contains("parley_attachment_scans_total{scanner=\"clamd\",verdict=\"infected\"} 2.0");
        }
    }

    @Test
    void aNonMember_getsNotFound_exactlyAsForAnAttachmentThatDoesNotExist(@TempDir Path dir) throws Exception {
        try (TestServer server = new TestServer(dir).start()) {
            String base = server.httpUrl();
            Rest alice = new Rest(base, TestServer.token("alice"));
            new Rest(base, TestServer.token("bob")).get("/api/v1/me");
            Rest eve = new Rest(base, TestServer.token("eve"));
            String dm = alice.direct("bob");
            String id = upload(alice, base, dm, "a.pdf", "application/pdf", AttachmentSupport.PDF);
            awaitStatus(alice, id, "ready");
            send(alice, dm, "c1", null, id);
            HttpResponse<byte[]> theirs = download(base, TestServer.token("eve"), id, false);
            HttpResponse<byte[]> none = download(base, TestServer.token("eve"), "att_doesnotexist", false);
            assertThat(theirs.statusCode()).isEqualTo(404);
            assertThat(new String(theirs.body(), StandardCharsets.UTF_8))
                    .isEqualTo(new String(none.body(), StandardCharsets.UTF_8));
            assertThat(eve.get("/api/v1/attachments/" + id).errorCode()).isEqualTo("attachment_not_found");
        }
    }

    @Test
    void aRemovedMember_isRefused_atTheirNextRequest(@TempDir Path dir) throws Exception {
        try (TestServer server = new TestServer(dir).start()) {
            String base = server.httpUrl();
            Rest alice = new Rest(base, TestServer.token("alice"));
            new Rest(base, TestServer.token("bob")).get("/api/v1/me");
            new Rest(base, TestServer.token("carol")).get("/api/v1/me");
            String g = alice.group("team", "bob", "carol");
            String id = upload(alice, base, g, "a.pdf", "application/pdf", AttachmentSupport.PDF);
            awaitStatus(alice, id, "ready");
            send(alice, g, "c1", null, id);
            assertThat(download(base, TestServer.token("carol"), id, false).statusCode())
                    .isEqualTo(200);
            assertThat(alice.delete("/api/v1/conversations/" + g + "/members/carol")
                            .status())
                    .isEqualTo(200);
            assertThat(download(base, TestServer.token("carol"), id, false).statusCode())
                    .isEqualTo(404);
            assertThat(download(base, TestServer.token("bob"), id, false).statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void afterTheMessageIsDeleted_nobodyGetsTheFile_andItsBlobIsCollected(@TempDir Path dir) throws Exception {
        try (TestServer server = new TestServer(dir).start()) {
            String base = server.httpUrl();
            Rest alice = new Rest(base, TestServer.token("alice"));
            new Rest(base, TestServer.token("bob")).get("/api/v1/me");
            String dm = alice.direct("bob");
            String id = upload(alice, base, dm, "a.pdf", "application/pdf", AttachmentSupport.PDF);
            awaitStatus(alice, id, "ready");
            String messageId = send(alice, dm, "c1", null, id).json().getString("messageId");
            String signed = AttachmentSupport.signedUrl(alice, id);
            assertThat(alice.delete("/api/v1/conversations/" + dm + "/messages/" + messageId)
                            .status())
                    .isEqualTo(200);
            assertThat(download(base, TestServer.token("bob"), id, false).statusCode())
                    .isEqualTo(404);
            assertThat(download(base, TestServer.token("alice"), id, false).statusCode())
                    .isEqualTo(404);
            // The attachment event's content went with the message.
            assertThat(attachmentStatuses(alice, dm, id)).isEmpty();
            assertThat(server.server().attachments().collect().get(10, java.util.concurrent.TimeUnit.SECONDS))
                    .isEqualTo(1);
            var r = AttachmentSupport.HTTP.send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + signed))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(404);
        }
    }

    @Test
    void aSignedUrlChangedToAnotherConversationsFile_isRefused403(@TempDir Path dir) throws Exception {
        try (TestServer server = new TestServer(dir).start()) {
            String base = server.httpUrl();
            Rest alice = new Rest(base, TestServer.token("alice"));
            Rest bob = new Rest(base, TestServer.token("bob"));
            bob.get("/api/v1/me");
            new Rest(base, TestServer.token("carol")).get("/api/v1/me");
            String mine = alice.direct("bob");
            String theirs = alice.direct("carol");
            String a = upload(alice, base, mine, "a.pdf", "application/pdf", AttachmentSupport.PDF);
            String b = upload(alice, base, theirs, "b.pdf", "application/pdf", AttachmentSupport.PDF);
            awaitStatus(alice, a, "ready");
            awaitStatus(alice, b, "ready");
            send(alice, mine, "c1", null, a);
            send(alice, theirs, "c2", null, b);
            String url = AttachmentSupport.signedUrl(bob, a);
            String forged = url.replace(a, b);
            var r = AttachmentSupport.HTTP.send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + forged))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.body()).doesNotContain("b.pdf");
        }
    }

    @Test
    void exifGps_isStrippedFromJpegs(@TempDir Path dir) throws Exception {
        try (TestServer server = new TestServer(dir).start()) {
            String base = server.httpUrl();
            Rest alice = new Rest(base, TestServer.token("alice"));
            new Rest(base, TestServer.token("bob")).get("/api/v1/me");
            String dm = alice.direct("bob");
            byte[] jpeg = Jpegs.withExifGps(640, 480);
            assertThat(Jpegs.hasApp1(jpeg)).isTrue();
            String id = upload(alice, base, dm, "where.jpg", "image/jpeg", jpeg);
            awaitStatus(alice, id, "ready");
            send(alice, dm, "c1", null, id);
            byte[] served = download(base, TestServer.token("bob"), id, false).body();
            assertThat(Jpegs.hasApp1(served)).isFalse();
            assertThat(new String(served, StandardCharsets.ISO_8859_1))
                    .doesNotContain("Exif")
                    .doesNotContain("GPS");
            assertThat(ImageIO.read(new ByteArrayInputStream(served)).getWidth())
                    .isEqualTo(640);
        }
    }

    @Test
    void aSlotAsksForAtMostFiveMinutes_andAcceptsExactlyItsSizeAndType(@TempDir Path dir) throws Exception {
        try (TestServer server = new TestServer(dir).start()) {
            String base = server.httpUrl();
            Rest alice = new Rest(base, TestServer.token("alice"));
            new Rest(base, TestServer.token("bob")).get("/api/v1/me");
            String dm = alice.direct("bob");
            Rest.Response s = slot(alice, dm, "a.pdf", "application/pdf", AttachmentSupport.PDF.length);
            java.time.Instant exp =
                    java.time.Instant.parse(s.json().getJsonObject("upload").getString("expiresAt"));
            assertThat(exp).isBeforeOrEqualTo(java.time.Instant.now().plusSeconds(300));
            String url = s.json().getJsonObject("upload").getString("url");
            assertThat(AttachmentSupport.put(base, url, "text/html", AttachmentSupport.PDF)
                            .statusCode())
                    .isEqualTo(422);
            byte[] longer = java.util.Arrays.copyOf(AttachmentSupport.PDF, AttachmentSupport.PDF.length + 1);
            assertThat(AttachmentSupport.put(base, url, "application/pdf", longer)
                            .statusCode())
                    .isEqualTo(409);
            assertThat(alice.post("/api/v1/attachments/" + s.json().getString("id") + "/finalize", null)
                            .errorCode())
                    .isEqualTo("attachment_incomplete");
        }
    }
}
