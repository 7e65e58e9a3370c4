package io.parley.server.chat;

import java.security.SecureRandom;

/**
 * Identifier generation. Conversation and user ids carry 100 random bits so that a guessed id hits nothing; message
 * ids start with the creation time so they sort roughly by time. Crockford base32, lower case.
 */
public final class Ids {
    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {}

    public static String conversationId() {
        return "c_" + random(20);
    }

    /** A random id for one server process (cluster bus messages carry it to skip their own). */
    public static String nodeId() {
        return "n_" + random(12);
    }

    public static String userId() {
        return "u_" + random(20);
    }

    public static String messageId(long nowMillis) {
        StringBuilder sb = new StringBuilder(24).append("m_");
        for (int i = 9; i >= 0; i--) {
            sb.append(ALPHABET[(int) ((nowMillis >>> (i * 5)) & 31)]);
        }
        return sb.append(random(12)).toString();
    }

    private static String random(int chars) {
        byte[] bytes = new byte[chars];
        RANDOM.nextBytes(bytes);
        char[] out = new char[chars];
        for (int i = 0; i < chars; i++) {
            out[i] = ALPHABET[bytes[i] & 31];
        }
        return new String(out);
    }
}
