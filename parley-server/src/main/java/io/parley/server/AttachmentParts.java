package io.parley.server;

import io.parley.server.blob.BlobStore;
import io.parley.server.blob.FileBlobStore;
import io.parley.server.blob.UrlSigner;
import io.parley.server.clamd.ClamdScanner;
import io.parley.server.config.Config;
import io.parley.server.s3.S3BlobStore;
import io.parley.server.scan.Scanner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Picks the attachments' blob store and scanner from the config (for {@link NodeBuilder}). */
final class AttachmentParts {
    private AttachmentParts() {}

    static BlobStore blobs(Config config, byte[] secret, Clock clock) {
        Config.Attachments a = config.attachments();
        if (a.store().equals("s3")) {
            return new S3BlobStore(a.s3());
        }
        try {
            return new FileBlobStore(
                    a.dir() != null ? a.dir() : config.dataDir().resolve("blobs"), new UrlSigner(secret), clock);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the blob directory under " + config.dataDir(), e);
        }
    }

    /**
     * The origin ({@code scheme://host[:port]}) the browser app must be allowed to upload to and load images from
     * when the blob store is not the server itself (S3): taken from a URL the store signs for a probe key, so it is
     * exactly where the store's URLs point (path-style or virtual-hosted, any endpoint). Empty for the embedded store,
     * whose URLs are the server's own ({@code 'self'}).
     */
    static Optional<String> browserOrigin(BlobStore blobs, Clock clock) {
        if (blobs instanceof FileBlobStore) {
            return Optional.empty();
        }
        URI u = blobs.uploadUrl(
                "csp-probe", "application/octet-stream", 1, Instant.now(clock).plus(Duration.ofMinutes(1)));
        return Optional.of(u.getScheme() + "://" + u.getRawAuthority());
    }

    static Scanner scanner(Config.Attachments a, Lifecycle lifecycle) {
        if (a.scanner().equals("clamd")) {
            return lifecycle.own("clamd", new ClamdScanner(a.clamdAddress(), a.scanTimeout()));
        }
        return Scanner.NONE;
    }
}
