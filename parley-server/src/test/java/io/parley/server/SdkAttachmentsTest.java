package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.client.ParleyAttachments;
import io.parley.client.ParleyException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java SDK's attachment helpers against a real node: upload and download with progress, refusals as codes. */
class SdkAttachmentsTest {

    @Test
    void upload_send_download_withProgress(@TempDir Path dir) throws Exception {
        try (TestServer server = new TestServer(dir.resolve("node")).start()) {
            URI base = URI.create(server.httpUrl());
            ParleyAttachments alice = ParleyAttachments.create(base, () -> TestServer.token("alice"));
            ParleyAttachments bob = ParleyAttachments.create(base, () -> TestServer.token("bob"));
            new Rest(server.httpUrl(), TestServer.token("bob")).get("/api/v1/me");
            String dm = new Rest(server.httpUrl(), TestServer.token("alice")).direct("bob");
            byte[] data = new byte[3_000_000];
            new Random(7).nextBytes(data);
            System.arraycopy("%PDF-1.7\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, data, 0, 9);
            Path file = dir.resolve("big.pdf");
            Files.write(file, data);
            AtomicLong sent = new AtomicLong();
            JsonNode a = alice.upload(dm, file, "big.pdf", "application/pdf", sent::set)
                    .get(60, TimeUnit.SECONDS);
            assertThat(sent.get()).isEqualTo(data.length);
            String id = a.get("id").asText();
            Poll.until(
                    () -> "ready".equals(alice.info(id).join().get("status").asText()),
                    java.time.Duration.ofSeconds(30),
                    "the upload is scanned");
            JsonNode ack = alice.send(dm, "c1", "the report", List.of(id)).get(30, TimeUnit.SECONDS);
            assertThat(ack.get("events").size()).isEqualTo(1);
            AtomicLong received = new AtomicLong();
            Path got = bob.download(id, false, dir.resolve("got.pdf"), received::set)
                    .get(60, TimeUnit.SECONDS);
            assertThat(Files.readAllBytes(got)).isEqualTo(data);
            assertThat(received.get()).isEqualTo(data.length);
            ParleyAttachments eve = ParleyAttachments.create(base, () -> TestServer.token("eve"));
            assertThatThrownBy(() ->
                            eve.download(id, false, dir.resolve("x"), n -> {}).get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(ParleyException.class)
                    .hasFieldOrPropertyWithValue("code", "attachment_not_found");
        }
    }
}
