package io.parley.server;

import static io.parley.server.AttachmentSupport.awaitStatus;
import static io.parley.server.AttachmentSupport.download;
import static io.parley.server.AttachmentSupport.send;
import static io.parley.server.AttachmentSupport.upload;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.config.Config;
import io.parley.server.redis.RedisSupport;
import io.parley.server.s3.S3BlobStore;
import io.parley.server.s3.S3ProxyProcess;
import io.parley.server.store.jdbc.PostgresSupport;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes on PostgreSQL, Redis and a real S3 implementation (S3Proxy in its own JVM): a file uploaded through one
 * node is downloaded through the other, straight from the store by a presigned URL.
 */
class AttachmentClusterTest {
    private final String schema = PostgresSupport.newSchema();

    @BeforeAll
    static void services() {
        PostgresSupport.requirePostgres();
        RedisSupport.requireRedis();
    }

    @AfterEach
    void dropSchema() {
        PostgresSupport.dropSchema(schema);
    }

    @Test
    void uploadedThroughOneNode_downloadedThroughTheOther(@TempDir Path dir) throws Exception {
        try (S3ProxyProcess s3 = S3ProxyProcess.start(dir.resolve("s3"))) {
            String bucket = "parley-" + UUID.randomUUID().toString().substring(0, 8);
            Config.S3 c = new Config.S3(
                    s3.endpoint(), "us-east-1", bucket, S3ProxyProcess.IDENTITY, S3ProxyProcess.CREDENTIAL, true);
            try (S3BlobStore admin = new S3BlobStore(c)) {
                admin.createBucketIfMissing();
            }
            String prefix = RedisSupport.newPrefix();
            Map<String, String> node = new HashMap<>();
            node.put("store.url", PostgresSupport.url(schema));
            node.put("redis.url", RedisSupport.URL);
            node.put("redis.prefix", prefix);
            node.put("attachments.store", "s3");
            node.put("attachments.s3.endpoint", s3.endpoint());
            node.put("attachments.s3.bucket", bucket);
            node.put("attachments.s3.access-key", S3ProxyProcess.IDENTITY);
            node.put("attachments.s3.secret-key", S3ProxyProcess.CREDENTIAL);
            try (TestServer a = new TestServer(dir.resolve("a"), node).start();
                    TestServer b = new TestServer(dir.resolve("b"), node).start()) {
                Rest aliceOnA = new Rest(a.httpUrl(), TestServer.token("alice"));
                Rest bobOnB = new Rest(b.httpUrl(), TestServer.token("bob"));
                bobOnB.get("/api/v1/me");
                String dm = aliceOnA.direct("bob");
                byte[] png = AttachmentSupport.png(400, 300);
                String id = upload(aliceOnA, a.httpUrl(), dm, "p.png", "image/png", png);
                awaitStatus(aliceOnA, id, "ready");
                assertThat(send(aliceOnA, dm, "c1", "from a", id).status()).isEqualTo(201);
                assertThat(bobOnB.get("/api/v1/attachments/" + id).json().getString("status"))
                        .isEqualTo("ready");
                HttpResponse<byte[]> viaB = download(b.httpUrl(), TestServer.token("bob"), id, false);
                assertThat(viaB.statusCode()).isEqualTo(200);
                assertThat(viaB.body()).isEqualTo(png);
                HttpResponse<byte[]> thumb = download(b.httpUrl(), TestServer.token("bob"), id, true);
                assertThat(thumb.statusCode()).isEqualTo(200);
                assertThat(download(b.httpUrl(), TestServer.token("eve"), id, false)
                                .statusCode())
                        .isEqualTo(404);
            }
        }
    }
}
