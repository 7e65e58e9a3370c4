package io.parley.server.tls;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509KeyManager;

/**
 * A certificate chain and its private key as read from two PEM files (the chain leaf first; the key PKCS#8 or
 * PKCS#1), checked to belong together: the key signs a random challenge and the leaf's public key verifies it, so a
 * renewal caught halfway (a new certificate beside the old key) is refused instead of served. The bytes are kept, so
 * the server is handed exactly what was checked, not whatever the files hold a moment later.
 */
public final class ServedCertificate {
    private final byte[] cert;
    private final byte[] key;
    private final byte[] digest;
    private final X509Certificate leaf;

    private ServedCertificate(byte[] cert, byte[] key, byte[] digest, X509Certificate leaf) {
        this.cert = cert;
        this.key = key;
        this.digest = digest;
        this.leaf = leaf;
    }

    /**
     * Reads and checks the pair. Blocking file I/O: call it off the event loops. Throws {@link TlsException} naming the
     * file and what is wrong with it.
     */
    public static ServedCertificate read(Path certFile, Path keyFile, Vertx vertx) {
        byte[] cert = readFile(certFile, "tls.cert-file");
        byte[] key = readFile(keyFile, "tls.key-file");
        PemKeyCertOptions pem = pem(cert, key);
        X509KeyManager manager;
        String alias;
        try {
            KeyStore store = pem.loadKeyStore(vertx);
            List<String> aliases = Collections.list(store.aliases());
            if (aliases.isEmpty()) {
                throw new TlsException(
                        certFile + " (tls.cert-file) and " + keyFile + " (tls.key-file) hold no key pair");
            }
            alias = aliases.get(0);
            KeyManagerFactory factory = pem.getKeyManagerFactory(vertx);
            manager = x509(factory.getKeyManagers());
        } catch (TlsException e) {
            throw e;
        } catch (Exception e) {
            throw new TlsException("cannot read the PEM certificate " + certFile + " (tls.cert-file) and key " + keyFile
                    + " (tls.key-file): " + e.getMessage());
        }
        X509Certificate[] chain = manager.getCertificateChain(alias);
        PrivateKey privateKey = manager.getPrivateKey(alias);
        if (chain == null || chain.length == 0 || privateKey == null) {
            throw new TlsException(certFile + " (tls.cert-file) holds no certificate for the key in " + keyFile);
        }
        if (!pair(privateKey, chain[0])) {
            throw new TlsException("the key in " + keyFile + " (tls.key-file) does not belong to the certificate in "
                    + certFile + " (tls.cert-file), "
                    + chain[0].getSubjectX500Principal().getName());
        }
        return new ServedCertificate(cert, key, digest(cert, key), chain[0]);
    }

    /** The options for {@code HttpServerOptions.setSslOptions} at start and {@code updateSSLOptions} on a reload. */
    public ServerSSLOptions options() {
        // HTTP/1.1 only (no ALPN): the WebSocket upgrade is an HTTP/1.1 request.
        return new ServerSSLOptions().setKeyCertOptions(pem(cert, key));
    }

    /** True when {@code other} holds the same bytes (a reload of unchanged files). */
    public boolean sameAs(ServedCertificate other) {
        return MessageDigest.isEqual(digest, other.digest);
    }

    /** Whose certificate, by whom, valid until when: for the log. */
    public String describe() {
        return "subject " + leaf.getSubjectX500Principal().getName() + ", issuer "
                + leaf.getIssuerX500Principal().getName() + ", valid until "
                + leaf.getNotAfter().toInstant();
    }

    public X509Certificate leaf() {
        return leaf;
    }

    private static PemKeyCertOptions pem(byte[] cert, byte[] key) {
        return new PemKeyCertOptions().setCertValue(Buffer.buffer(cert)).setKeyValue(Buffer.buffer(key));
    }

    private static X509KeyManager x509(KeyManager[] managers) {
        for (KeyManager m : managers) {
            if (m instanceof X509KeyManager x) {
                return x;
            }
        }
        throw new TlsException("no X.509 key manager for the certificate");
    }

    /** Signs a random challenge with the key and verifies it with the certificate's public key. */
    private static boolean pair(PrivateKey key, X509Certificate cert) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default ->
                throw new TlsException("unsupported key algorithm " + key.getAlgorithm() + " (RSA, EC, Ed25519)");
        };
        byte[] challenge = new byte[32];
        new SecureRandom().nextBytes(challenge);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            // A key of another type than the certificate's (an EC key beside an RSA certificate) lands here.
            return false;
        }
    }

    private static byte[] digest(byte[] cert, byte[] key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(cert);
            sha.update((byte) 0);
            sha.update(key);
            return sha.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static byte[] readFile(Path file, String key) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length == 0) {
                throw new TlsException(file + " (" + key + ") is empty");
            }
            return bytes;
        } catch (IOException e) {
            throw new TlsException("cannot read " + file + " (" + key + "): " + e);
        }
    }

    @Override
    public String toString() {
        return describe() + " " + Arrays.toString(Arrays.copyOf(digest, 4));
    }
}
