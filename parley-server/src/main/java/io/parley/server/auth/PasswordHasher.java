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
    private final Runnable onVerify;

    public PasswordHasher(int cost) {
        this(cost, () -> {});
    }

    /**
     * {@code onVerify} runs once per bcrypt verification, whether against a stored hash or the dummy one (the
     * node counts them in {@code parley_password_verifications_total}): a login costs one, known user or not.
     */
    public PasswordHasher(int cost, Runnable onVerify) {
        this.cost = cost;
        this.onVerify = onVerify;
        this.dummyHash = hash("parley-dummy-password-for-timing");
    }

    /** The cost factor of the dummy hash (the configured one, as new hashes have): the same work as a real one. */
    int dummyCost() {
        return Integer.parseInt(dummyHash.substring(4, 6));
    }

    public String hash(String password) {
        return BCrypt.withDefaults().hashToString(cost, password.toCharArray());
    }

    /**
     * Whether {@code password} matches {@code hash}; with a null {@code hash} (no such user, or an account without a
     * password) it runs the same bcrypt work against the dummy hash and returns false, so that the time of a login
     * does not tell whether the username exists.
     */
    public boolean verify(String password, String hash) {
        onVerify.run();
        return BCrypt.verifyer()
                        .verify(
                                password.getBytes(StandardCharsets.UTF_8),
                                (hash == null ? dummyHash : hash).getBytes(StandardCharsets.UTF_8))
                        .verified
                && hash != null;
    }
}
