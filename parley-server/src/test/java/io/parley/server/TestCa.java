package io.parley.server;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made for one test (BouncyCastle): its own EC P-256 key and self-signed root, and server
 * certificates it signs for 127.0.0.1 and localhost, written as the PEM files Parley reads (tls.cert-file: leaf then
 * CA; tls.key-file: PKCS#8). Clients trust it through {@link #sslContext()} or the PKCS#12 {@link #trustStore}.
 */
public final class TestCa {
    private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

    private final KeyPair key;
    private final X509Certificate root;

    /** A leaf written to disk: its certificate (with serial) and the two PEM files. */
    public record Leaf(X509Certificate cert, Path certFile, Path keyFile) {}

    public TestCa(String name) {
        try {
            key = ecKey();
            X500Name subject = new X500Name("CN=" + name);
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                    subject,
                    BigInteger.valueOf(SERIAL.incrementAndGet()),
                    Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(30))),
                    subject,
                    key.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            root = sign(b, key);
        } catch (Exception e) {
            throw new IllegalStateException("cannot make the test CA", e);
        }
    }

    public X509Certificate root() {
        return root;
    }

    /** A server certificate for 127.0.0.1 and localhost, written to {@code dir}/{@code name}.crt and .key. */
    public Leaf issue(Path dir, String name) {
        try {
            KeyPair leafKey = ecKey();
            Leaf leaf = issueFor(leafKey, dir, name);
            write(dir.resolve(name + ".key"), pkcs8(leafKey.getPrivate().getEncoded()));
            return leaf;
        } catch (Exception e) {
            throw new IllegalStateException("cannot issue " + name, e);
        }
    }

    /** As {@link #issue}, the certificate only (for a key file that does not match it). */
    public Leaf issueCertOnly(Path dir, String name) {
        try {
            return issueFor(ecKey(), dir, name);
        } catch (Exception e) {
            throw new IllegalStateException("cannot issue " + name, e);
        }
    }

    private Leaf issueFor(KeyPair leafKey, Path dir, String name) throws Exception {
        Instant now = Instant.now();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                root,
                BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(7))),
                new X500Name("CN=" + name),
                leafKey.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")
        }));
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        X509Certificate cert = sign(b, key);
        Path certFile = dir.resolve(name + ".crt");
        write(certFile, pem(cert) + pem(root));
        return new Leaf(cert, certFile, dir.resolve(name + ".key"));
    }

    /** Trusts this CA only. */
    public SSLContext sslContext() {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(keyStore());
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(null, tmf.getTrustManagers(), null);
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A PKCS#12 trust store holding the root, written to {@code file}. */
    public Path trustStore(Path file, char[] password) {
        try (OutputStream out = Files.newOutputStream(file)) {
            keyStore().store(out, password);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The base64 SHA-256 of a certificate's SubjectPublicKeyInfo (Chromium's --ignore-certificate-errors-spki-list). */
    public static String spkiHash(X509Certificate cert) {
        try {
            return Base64.getEncoder()
                    .encodeToString(MessageDigest.getInstance("SHA-256")
                            .digest(cert.getPublicKey().getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private KeyStore keyStore() throws GeneralSecurityException {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry("parley-test-ca", root);
            return ks;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static KeyPair ecKey() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer) throws Exception {
        ContentSigner s = new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(b.build(s));
    }

    private static String pem(Object o) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter p = new JcaPEMWriter(w)) {
            p.writeObject(o);
        }
        return w.toString();
    }

    private static String pkcs8(byte[] der) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der)
                + "\n-----END PRIVATE KEY-----\n";
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
