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
import java.time.Clock;

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

    static Scanner scanner(Config.Attachments a, Lifecycle lifecycle) {
        if (a.scanner().equals("clamd")) {
            return lifecycle.own("clamd", new ClamdScanner(a.clamdAddress(), a.scanTimeout()));
        }
        return Scanner.NONE;
    }
}
