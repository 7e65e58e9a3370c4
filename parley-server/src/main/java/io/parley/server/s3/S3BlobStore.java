package io.parley.server.s3;

import io.parley.server.blob.BlobStore;
import io.parley.server.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * {@link BlobStore} on an S3-compatible service through the AWS SDK v2: uploads and downloads go straight between the
 * client and the store with presigned URLs (the PUT's signature covers its Content-Type and Content-Length, so the
 * store refuses another size or type); the server itself reads blobs only to inspect and scan them. S3 writes are
 * atomic (an object exists whole or not at all).
 */
public final class S3BlobStore implements BlobStore {
    private final String bucket;
    private final S3Client s3;
    private final S3Presigner presigner;

    public S3BlobStore(Config.S3 c) {
        this.bucket = c.bucket();
        AwsCredentialsProvider creds = c.accessKey().isEmpty()
                ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(AwsBasicCredentials.create(c.accessKey(), c.secretKey()));
        S3Configuration s3c =
                S3Configuration.builder().pathStyleAccessEnabled(c.pathStyle()).build();
        // Checksums only where S3 requires them: the SDK's default trailing CRCs (aws-chunked uploads, checksum-mode
        // reads) are not understood by every S3-compatible store (S3Proxy, older MinIO, Ceph).
        var cb = S3Client.builder()
                .region(Region.of(c.region()))
                .credentialsProvider(creds)
                .serviceConfiguration(s3c)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        var pb = S3Presigner.builder()
                .region(Region.of(c.region()))
                .credentialsProvider(creds)
                .serviceConfiguration(s3c);
        if (!c.endpoint().isEmpty()) {
            cb.endpointOverride(URI.create(c.endpoint()));
            pb.endpointOverride(URI.create(c.endpoint()));
        }
        this.s3 = cb.build();
        this.presigner = pb.build();
    }

    /** Creates the bucket when it does not exist (tests, first start against an empty S3Proxy). Blocks. */
    public void createBucketIfMissing() {
        try {
            s3.headBucket(b -> b.bucket(bucket));
        } catch (S3Exception e) {
            s3.createBucket(b -> b.bucket(bucket));
        }
    }

    @Override
    public URI uploadUrl(String key, String contentType, long size, Instant expires) {
        BlobStore.requireKey(key);
        PutObjectRequest put = PutObjectRequest.builder()
                .bucket(bucket)
                .key(key)
                .contentType(contentType)
                .contentLength(size)
                .build();
        return toUri(presigner
                .presignPutObject(p -> p.signatureDuration(until(expires)).putObjectRequest(put))
                .url());
    }

    @Override
    public URI downloadUrl(String key, Delivery d, Instant expires) {
        BlobStore.requireKey(key);
        String disposition = (d.download() ? "attachment" : "inline") + "; filename*=UTF-8''"
                + java.net.URLEncoder.encode(d.fileName(), java.nio.charset.StandardCharsets.UTF_8)
                        .replace("+", "%20");
        GetObjectRequest get = GetObjectRequest.builder()
                .bucket(bucket)
                .key(key)
                .responseContentType(d.contentType())
                .responseContentDisposition(disposition)
                .build();
        return toUri(presigner
                .presignGetObject(p -> p.signatureDuration(until(expires)).getObjectRequest(get))
                .url());
    }

    private static Duration until(Instant expires) {
        // SigV4 presigns whole seconds, at least one.
        long ms = Duration.between(Instant.now(), expires).toMillis();
        return Duration.ofSeconds(Math.max(1, (ms + 999) / 1000));
    }

    private static URI toUri(java.net.URL url) {
        try {
            return url.toURI();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("the SDK made an invalid URL: " + url, e);
        }
    }

    @Override
    public OptionalLong size(String key) throws IOException {
        try {
            return OptionalLong.of(s3.headObject(HeadObjectRequest.builder()
                            .bucket(bucket)
                            .key(BlobStore.requireKey(key))
                            .build())
                    .contentLength());
        } catch (NoSuchKeyException e) {
            return OptionalLong.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return OptionalLong.empty();
            }
            throw new IOException("S3 HEAD " + key + " failed", e);
        } catch (SdkException e) {
            throw new IOException("S3 HEAD " + key + " failed", e);
        }
    }

    @Override
    public InputStream open(String key) throws IOException {
        try {
            return s3.getObject(GetObjectRequest.builder()
                    .bucket(bucket)
                    .key(BlobStore.requireKey(key))
                    .build());
        } catch (NoSuchKeyException e) {
            throw new java.nio.file.NoSuchFileException(key);
        } catch (SdkException e) {
            throw new IOException("S3 GET " + key + " failed", e);
        }
    }

    @Override
    public void put(String key, InputStream in, long size, String contentType) throws IOException {
        try {
            s3.putObject(
                    PutObjectRequest.builder()
                            .bucket(bucket)
                            .key(BlobStore.requireKey(key))
                            .contentType(contentType)
                            .contentLength(size)
                            .build(),
                    RequestBody.fromInputStream(in, size));
        } catch (SdkException e) {
            throw new IOException("S3 PUT " + key + " failed", e);
        }
    }

    @Override
    public void delete(String key) throws IOException {
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(BlobStore.requireKey(key)));
        } catch (SdkException e) {
            throw new IOException("S3 DELETE " + key + " failed", e);
        }
    }

    @Override
    public void close() {
        presigner.close();
        s3.close();
    }
}
