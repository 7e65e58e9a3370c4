package io.parley.server.blob;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 over the parts of a URL that matter, compared in constant time. */
public final class UrlSigner {
    private final SecretKeySpec key;

    /** {@code secret}: at least 32 bytes (the node's JWT secret, or the one kept in the data dir). */
    public UrlSigner(byte[] secret) {
        if (secret.length < 32) {
            throw new IllegalArgumentException("a URL signing secret needs at least 32 bytes");
        }
        // A key of its own, derived from the secret, so a URL signature can never serve as a token's and back.
        this.key = new SecretKeySpec(mac(new SecretKeySpec(secret, "HmacSHA256"), "parley-blob-urls-v1"), "HmacSHA256");
    }

    public String sign(String... parts) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(mac(key, String.join("\n", parts)));
    }

    public boolean verify(String signature, String... parts) {
        if (signature == null) {
            return false;
        }
        byte[] expected = sign(parts).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] mac(SecretKeySpec k, String data) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(k);
            return m.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}
