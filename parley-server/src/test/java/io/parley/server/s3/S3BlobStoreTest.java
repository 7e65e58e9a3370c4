package io.parley.server.s3;

import io.parley.server.blob.BlobStore;
import io.parley.server.blob.BlobStoreContract;
import io.parley.server.config.Config;
import java.net.URI;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The S3 blob store against a real S3 implementation: S3Proxy with its filesystem backend, in its own process. */
class S3BlobStoreTest extends BlobStoreContract {
    @TempDir
    static Path dir;

    private static S3ProxyProcess proxy;

    @BeforeAll
    static void startProxy() throws Exception {
        proxy = S3ProxyProcess.start(dir);
    }

    @AfterAll
    static void stopProxy() {
        if (proxy != null) {
            proxy.close();
        }
    }

    static Config.S3 config(String endpoint, String bucket) {
        return new Config.S3(endpoint, "us-east-1", bucket, S3ProxyProcess.IDENTITY, S3ProxyProcess.CREDENTIAL, true);
    }

    @Override
    protected BlobStore create() {
        S3BlobStore s = new S3BlobStore(
                config(proxy.endpoint(), "b" + UUID.randomUUID().toString().substring(0, 8)));
        s.createBucketIfMissing();
        return s;
    }

    @Override
    protected URI base() {
        return URI.create(proxy.endpoint());
    }
}
