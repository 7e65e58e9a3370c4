package io.parley.server.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;

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
        return BCrypt.verifyer()
                        .verify(
                                password.getBytes(StandardCharsets.UTF_8),
                                (hash == null ? dummyHash : hash).getBytes(StandardCharsets.UTF_8))
                        .verified
                && hash != null;
    }
}
