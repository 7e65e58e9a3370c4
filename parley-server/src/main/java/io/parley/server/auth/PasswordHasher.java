package io.parley.server.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * bcrypt password hashing. Deliberately slow (tens of milliseconds): call only from worker threads, never from an
 * event loop. Passwords are limited to 72 bytes by bcrypt; longer ones are rejected by the API, not truncated.
 */
public final class PasswordHasher {
    /** A hash of a random password, compared against when the username is unknown so timing reveals nothing. */
    private final String dummyHash;

    private final int cost;

    public PasswordHasher(int cost) {
        this.cost = cost;
        this.dummyHash = hash("parley-dummy-password-for-timing");
    }

    public String hash(String password) {
        return BCrypt.withDefaults().hashToString(cost, password.toCharArray());
    }

    public boolean verify(String password, String hash) {
        byte[] given = password.getBytes(StandardCharsets.UTF_8);
        // No stored password is longer than bcrypt's 72 bytes (AccountRules), so a longer one cannot match; bcrypt
        // would throw on it (a 503 and a stack trace, found by FuzzTest). It is still checked against a hash, cut to a
        // length bcrypt takes, so it takes as long as any wrong password.
        boolean tooLong = given.length > MAX_BYTES;
        byte[] checked = tooLong ? Arrays.copyOf(given, MAX_BYTES) : given;
        boolean verified = BCrypt.verifyer()
                .verify(checked, (hash == null || tooLong ? dummyHash : hash).getBytes(StandardCharsets.UTF_8))
                .verified;
        return verified && hash != null && !tooLong;
    }

    /** The longest password bcrypt takes, in UTF-8 bytes. */
    static final int MAX_BYTES = 72;
}
