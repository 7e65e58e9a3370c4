package io.parley.server.push;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;

/**
 * The server's VAPID key pair (RFC 8292): a P-256 key generated on first start and kept in the data dir as
 * {@code vapid-keys} (owner-only permissions, like {@code jwt-secret}), so that browser subscriptions made against its
 * public key stay valid across restarts. Every node of a cluster must have the same file (copy it with the JWT
 * secret). Runs once at start-up.
 */
public record VapidKeys(ECPublicKey publicKey, ECPrivateKey privateKey) {
    static final String FILE = "vapid-keys";

    /** The public key as browsers want it ({@code applicationServerKey}): the uncompressed point, base64url. */
    public String publicKeyBase64Url() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(WebPushCrypto.uncompressed(publicKey));
    }

    public static VapidKeys generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair kp = g.generateKeyPair();
            return new VapidKeys((ECPublicKey) kp.getPublic(), (ECPrivateKey) kp.getPrivate());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no P-256 key generator", e);
        }
    }

    public static VapidKeys loadOrCreate(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        try {
            Files.createDirectories(dataDir);
            if (!Files.exists(file)) {
                VapidKeys keys = generate();
                String text = Base64.getEncoder().encodeToString(keys.privateKey.getEncoded()) + "\n"
                        + Base64.getEncoder().encodeToString(keys.publicKey.getEncoded()) + "\n";
                try {
                    Files.createFile(
                            file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                } catch (UnsupportedOperationException e) {
                    Files.createFile(file);
                } catch (FileAlreadyExistsException e) {
                    return read(file);
                }
                Files.writeString(file, text, StandardCharsets.US_ASCII);
            }
            return read(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create or read the VAPID key file " + file, e);
        }
    }

    private static VapidKeys read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        try {
            KeyFactory f = KeyFactory.getInstance("EC");
            ECPrivateKey priv = (ECPrivateKey) f.generatePrivate(new PKCS8EncodedKeySpec(
                    Base64.getDecoder().decode(lines.get(0).trim())));
            ECPublicKey pub = (ECPublicKey) f.generatePublic(new X509EncodedKeySpec(
                    Base64.getDecoder().decode(lines.get(1).trim())));
            if (!pub.getParams().getCurve().equals(priv.getParams().getCurve())
                    || pub.getParams().getOrder().compareTo(BigInteger.ZERO) <= 0) {
                throw new IOException("the keys in " + file + " are not one P-256 pair");
            }
            return new VapidKeys(pub, priv);
        } catch (GeneralSecurityException | IndexOutOfBoundsException | IllegalArgumentException e) {
            throw new IOException("unreadable VAPID keys in " + file + ": " + e, e);
        }
    }
}
