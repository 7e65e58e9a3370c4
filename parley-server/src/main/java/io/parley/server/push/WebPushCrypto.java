package io.parley.server.push;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Message encryption for Web Push (RFC 8291) in the {@code aes128gcm} content coding (RFC 8188), with the JDK alone:
 * an ephemeral P-256 key per message, ECDH with the subscription's {@code p256dh} key, HKDF-SHA-256 keyed by its
 * {@code auth} secret, AES-128-GCM, one record. The push service sees only the ciphertext.
 */
public final class WebPushCrypto {
    /** The record size written in the header; a payload must fit one record (RFC 8291 caps it at 4096). */
    static final int RECORD_SIZE = 4096;
    /** The largest plaintext one record holds: 4096 minus the 16-byte tag and the 1-byte delimiter. */
    public static final int MAX_PAYLOAD = RECORD_SIZE - 16 - 1;

    private static final SecureRandom RANDOM = new SecureRandom();

    private WebPushCrypto() {}

    /** Encrypts {@code plaintext} for a subscription; returns the request body (header and the one record). */
    public static byte[] encrypt(byte[] plaintext, byte[] uaPublic, byte[] authSecret) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return encrypt(plaintext, uaPublic, authSecret, salt, ephemeral());
    }

    static KeyPair ephemeral() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no P-256 key generator", e);
        }
    }

    static byte[] encrypt(byte[] plaintext, byte[] uaPublic, byte[] authSecret, byte[] salt, KeyPair as) {
        if (plaintext.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("payload of " + plaintext.length + " bytes exceeds " + MAX_PAYLOAD);
        }
        try {
            ECPublicKey ua = publicKey(uaPublic, (ECPublicKey) as.getPublic());
            byte[] asPublic = uncompressed((ECPublicKey) as.getPublic());
            KeyAgreement ka = KeyAgreement.getInstance("ECDH");
            ka.init(as.getPrivate());
            ka.doPhase(ua, true);
            byte[] ecdhSecret = ka.generateSecret();
            byte[][] keys = keys(ecdhSecret, authSecret, uaPublic, asPublic, salt);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(keys[0], "AES"), new GCMParameterSpec(128, keys[1]));
            byte[] padded = new byte[plaintext.length + 1];
            System.arraycopy(plaintext, 0, padded, 0, plaintext.length);
            padded[plaintext.length] = 2; // the last record's delimiter (RFC 8188, 2)
            byte[] record = c.doFinal(padded);
            ByteBuffer out = ByteBuffer.allocate(16 + 4 + 1 + asPublic.length + record.length);
            out.put(salt)
                    .putInt(RECORD_SIZE)
                    .put((byte) asPublic.length)
                    .put(asPublic)
                    .put(record);
            return out.array();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot encrypt for this subscription: " + e.getMessage(), e);
        }
    }

    /**
     * The content encryption key and nonce (RFC 8291 section 3.4, RFC 8188 section 2.2), from the ECDH secret, the
     * auth secret, both public keys and the salt. Shared by the decrypting side of the tests.
     */
    static byte[][] keys(byte[] ecdhSecret, byte[] authSecret, byte[] uaPublic, byte[] asPublic, byte[] salt)
            throws GeneralSecurityException {
        byte[] prkKey = hmac(authSecret, ecdhSecret);
        byte[] keyInfo =
                concat("WebPush: info\0".getBytes(StandardCharsets.US_ASCII), uaPublic, asPublic, new byte[] {1});
        byte[] ikm = hmac(prkKey, keyInfo);
        byte[] prk = hmac(salt, ikm);
        byte[] cek = java.util.Arrays.copyOf(
                hmac(prk, concat("Content-Encoding: aes128gcm\0".getBytes(StandardCharsets.US_ASCII), new byte[] {1})),
                16);
        byte[] nonce = java.util.Arrays.copyOf(
                hmac(prk, concat("Content-Encoding: nonce\0".getBytes(StandardCharsets.US_ASCII), new byte[] {1})), 12);
        return new byte[][] {cek, nonce};
    }

    static byte[] hmac(byte[] key, byte[] data) throws GeneralSecurityException {
        Mac m = Mac.getInstance("HmacSHA256");
        m.init(new SecretKeySpec(key, "HmacSHA256"));
        return m.doFinal(data);
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    /** The uncompressed point (0x04 || x || y, 65 bytes) of a P-256 public key. */
    public static byte[] uncompressed(ECPublicKey key) {
        byte[] out = new byte[65];
        out[0] = 4;
        fixed(key.getW().getAffineX(), out, 1);
        fixed(key.getW().getAffineY(), out, 33);
        return out;
    }

    private static void fixed(BigInteger v, byte[] out, int at) {
        byte[] b = v.toByteArray();
        int len = Math.min(b.length, 32);
        System.arraycopy(b, b.length - len, out, at + 32 - len, len);
    }

    /** A P-256 public key from its uncompressed point, on the curve of {@code like}. */
    static ECPublicKey publicKey(byte[] point, ECPublicKey like) throws GeneralSecurityException {
        if (point.length != 65 || point[0] != 4) {
            throw new GeneralSecurityException("not an uncompressed P-256 point");
        }
        ECParameterSpec params = like.getParams();
        BigInteger x = new BigInteger(1, java.util.Arrays.copyOfRange(point, 1, 33));
        BigInteger y = new BigInteger(1, java.util.Arrays.copyOfRange(point, 33, 65));
        return (ECPublicKey)
                KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y), params));
    }
}
