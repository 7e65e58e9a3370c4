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
