package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.blob.FileBlobStore;
import io.parley.server.blob.UrlSigner;
import io.parley.server.config.Config;
import io.parley.server.s3.S3BlobStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The origin the web app's Content-Security-Policy allows for attachments (signing only: no S3 is contacted). */
class AttachmentPartsTest {
    private static final Clock CLOCK = Clock.systemUTC();

    @Test
    void browserOrigin_ofTheEmbeddedStore_isNone_itsUrlsAreTheServersOwn(@TempDir Path dir) throws Exception {
        FileBlobStore files = new FileBlobStore(
                dir, new UrlSigner("a-secret-of-at-least-32-bytes-here!!".getBytes(StandardCharsets.UTF_8)), CLOCK);
        assertThat(AttachmentParts.browserOrigin(files, CLOCK)).isEmpty();
    }

    @Test
    void browserOrigin_ofS3_isWhereItsSignedUrlsPoint_pathStyleOrVirtualHosted() {
        try (S3BlobStore pathStyle = new S3BlobStore(
                        new Config.S3("http://127.0.0.1:9000", "us-east-1", "files", "id", "secret", true));
                S3BlobStore virtual = new S3BlobStore(
                        new Config.S3("https://s3.example.net", "eu-west-1", "files", "id", "secret", false))) {
            assertThat(AttachmentParts.browserOrigin(pathStyle, CLOCK)).hasValue("http://127.0.0.1:9000");
            assertThat(AttachmentParts.browserOrigin(virtual, CLOCK)).hasValue("https://files.s3.example.net");
        }
    }
}
