package io.parley.server;

import static io.parley.server.AttachmentSupport.put;
import static io.parley.server.AttachmentSupport.send;
import static io.parley.server.AttachmentSupport.slot;
import static io.parley.server.AttachmentSupport.upload;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Item 7 of issue 16: every bad upload gets its documented code, and nothing of it becomes visible. */
class AttachmentBadInputTest {
    @TempDir
    Path dir;

    private TestServer server;
    private String base;
    private Rest alice;
    private Rest bob;
    private String dm;

    @BeforeEach
    void start() {
        server = new TestServer(dir, Map.of("attachments.max-bytes", "10000")).start();
        base = server.httpUrl();
        alice = new Rest(base, TestServer.token("alice"));
        bob = new Rest(base, TestServer.token("bob"));
        bob.get("/api/v1/me");
        dm = alice.direct("bob");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String code(String name, String type, long size) {
        return slot(alice, dm, name, type, size).errorCode();
    }

    @Test
    void oversize_isAttachmentTooLarge() {
        assertThat(code("a.pdf", "application/pdf", 10_001)).isEqualTo("attachment_too_large");
    }

    @Test
    void anUnsupportedType_isAttachmentTypeUnsupported() {
        assertThat(code("a.html", "text/html", 10)).isEqualTo("attachment_type_unsupported");
        assertThat(code("a.svg", "image/svg+xml", 10)).isEqualTo("attachment_type_unsupported");
    }

    @Test
    void zeroBytes_isAttachmentEmpty() {
        assertThat(code("a.pdf", "application/pdf", 0)).isEqualTo("attachment_empty");
    }

    @Test
    void pathsAndControlAndBidiCharactersInNames_areAttachmentNameInvalid() {
        for (String name : new String[] {
            "../../etc/passwd",
            "a/b.pdf",
            "a\\b.pdf",
            "..",
            ".",
            "",
            "bad\u0000.pdf",
            "line\n.pdf",
            "evil\u202Efdp.exe",
            "x\u2066y.pdf",
            "a".repeat(256)
        }) {
            assertThat(code(name, "application/pdf", 10)).as("name %s", name).isEqualTo("attachment_name_invalid");
        }
    }

    @Test
    void aTypeThatLiesAboutTheBytes_isAttachmentTypeMismatch_andNothingIsKept() {
        byte[] html = "<!DOCTYPE html><script>alert(1)</script>".getBytes(StandardCharsets.US_ASCII);
        Rest.Response s = slot(alice, dm, "cat.png", "image/png", html.length);
        assertThat(put(base, s.json().getJsonObject("upload").getString("url"), "image/png", html)
                        .statusCode())
                .isEqualTo(200);
        String id = s.json().getString("id");
        assertThat(alice.post("/api/v1/attachments/" + id + "/finalize", null).errorCode())
                .isEqualTo("attachment_type_mismatch");
        // The bytes were deleted: finalize again finds nothing uploaded.
        assertThat(alice.post("/api/v1/attachments/" + id + "/finalize", null).errorCode())
                .isEqualTo("attachment_incomplete");
        assertThat(send(alice, dm, "c1", null, id).errorCode()).isEqualTo("attachment_not_usable");
    }

    @Test
    void aWrongChecksum_isAttachmentChecksumMismatch() {
        Rest.Response s = alice.post(
                "/api/v1/conversations/" + dm + "/attachments",
                new JsonObject()
                        .put("name", "a.pdf")
                        .put("contentType", "application/pdf")
                        .put("size", AttachmentSupport.PDF.length)
                        .put("sha256", "0".repeat(64)));
        put(base, s.json().getJsonObject("upload").getString("url"), "application/pdf", AttachmentSupport.PDF);
        assertThat(alice.post("/api/v1/attachments/" + s.json().getString("id") + "/finalize", null)
                        .errorCode())
                .isEqualTo("attachment_checksum_mismatch");
    }

    @Test
    void finalizingSomeoneElsesSlot_isAttachmentNotFound() {
        Rest.Response s = slot(alice, dm, "a.pdf", "application/pdf", AttachmentSupport.PDF.length);
        put(base, s.json().getJsonObject("upload").getString("url"), "application/pdf", AttachmentSupport.PDF);
        assertThat(bob.post("/api/v1/attachments/" + s.json().getString("id") + "/finalize", null)
                        .errorCode())
                .isEqualTo("attachment_not_found");
        assertThat(bob.get("/api/v1/attachments/" + s.json().getString("id")).errorCode())
                .isEqualTo("attachment_not_found");
    }

    @Test
    void anUploadToAnotherSlotsUrl_isRefused403() {
        Rest.Response a = slot(alice, dm, "a.pdf", "application/pdf", AttachmentSupport.PDF.length);
        Rest.Response b = slot(bob, dm, "b.pdf", "application/pdf", AttachmentSupport.PDF.length);
        String forged = a.json()
                .getJsonObject("upload")
                .getString("url")
                .replace(a.json().getString("id"), b.json().getString("id"));
        assertThat(put(base, forged, "application/pdf", AttachmentSupport.PDF).statusCode())
                .isEqualTo(403);
    }

    @Test
    void finalizeTwice_isAttachmentAlreadyFinalized() {
        String id = upload(alice, base, dm, "a.pdf", "application/pdf", AttachmentSupport.PDF);
        assertThat(alice.post("/api/v1/attachments/" + id + "/finalize", null).errorCode())
                .isEqualTo("attachment_already_finalized");
    }

    @Test
    void anExpiredSlot_isRefused_atUploadAndAtFinalize() {
        try (TestServer quick = new TestServer(dir.resolve("quick"), Map.of("attachments.slot-ttl", "1s")).start()) {
            String b = quick.httpUrl();
            Rest a = new Rest(b, TestServer.token("alice"));
            new Rest(b, TestServer.token("bob")).get("/api/v1/me");
            String c = a.direct("bob");
            Rest.Response s = slot(a, c, "a.pdf", "application/pdf", AttachmentSupport.PDF.length);
            String url = s.json().getJsonObject("upload").getString("url");
            String id = s.json().getString("id");
            // Real time: the slot's expiry is a signed time checked by the serving route (attachments.slot-ttl=1s).
            Poll.until(
                    () -> put(b, url, "application/pdf", new byte[AttachmentSupport.PDF.length])
                                    .statusCode()
                            == 403,
                    Duration.ofSeconds(10),
                    "the expired upload URL is refused");
            assertThat(a.post("/api/v1/attachments/" + id + "/finalize", null).errorCode())
                    .isEqualTo("attachment_slot_expired");
        }
    }

    @Test
    void aReferenceToAnAttachmentOfAnotherConversation_isAttachmentNotUsable_andNothingIsStored() {
        new Rest(base, TestServer.token("carol")).get("/api/v1/me");
        String other = alice.direct("carol");
        String id = upload(alice, base, other, "a.pdf", "application/pdf", AttachmentSupport.PDF);
        long before = alice.get("/api/v1/conversations/" + dm + "/events?after=0&limit=200")
                .json()
                .getJsonArray("events")
                .size();
        assertThat(send(alice, dm, "c1", "x", id).errorCode()).isEqualTo("attachment_not_usable");
        assertThat(alice.get("/api/v1/conversations/" + dm + "/events?after=0&limit=200")
                        .json()
                        .getJsonArray("events")
                        .size())
                .isEqualTo(before);
        assertThat(send(bob, dm, "c2", "x", id).errorCode()).isEqualTo("attachment_not_found");
    }

    @Test
    void aSlotInAConversationOfWhichOneIsNoMember_isConversationNotFound() {
        Rest eve = new Rest(base, TestServer.token("eve"));
        assertThat(slot(eve, dm, "a.pdf", "application/pdf", 10).errorCode()).isEqualTo("conversation_not_found");
    }
}
