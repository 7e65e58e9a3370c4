package io.parley.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The certificates a client trusts for {@code wss://} and {@code https://}: by default the JDK's (the public CAs);
 * with a trust store of its own, a private CA's. Host names are checked as always: only the trusted set changes.
 */
public final class TrustStore {
    private TrustStore() {}

    /**
     * An SSL context trusting exactly the certificates in {@code file} (PKCS#12 or JKS, the type read from the file),
     * opened with {@code password} (null: a store without integrity password).
     */
    public static SSLContext sslContext(Path file, char[] password) {
        try {
            KeyStore store = KeyStore.getInstance(file.toFile(), password);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the trust store " + file, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use the trust store " + file + ": " + e.getMessage(), e);
        }
    }

    /** An HttpClient (for {@link ParleyRest#create(java.net.URI, java.util.function.Supplier, HttpClient)}) on it. */
    public static HttpClient httpClient(SSLContext context) {
        return HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .sslContext(context)
                .build();
    }
}
