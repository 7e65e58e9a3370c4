package io.parley.server.log;

/**
 * Refused logins and tokens, at info on {@code io.parley.auth}: {@code auth_failure} with {@code kind} (login or
 * token), {@code transport} (rest or ws), {@code reason} and, for a login, the username asked for. Never the password
 * or the token.
 */
public final class AuthLog {
    private static final Log LOG = Log.named("io.parley.auth");

    private AuthLog() {}

    /** A login refused (wrong username or password); {@code remote}: the client's address, or null. */
    public static void loginFailed(String username, String reason, String remote) {
        LOG.info(
                "auth_failure",
                "kind",
                "login",
                "transport",
                "rest",
                "reason",
                reason,
                "username",
                username,
                "remote",
                remote);
    }

    /**
     * A bearer token refused on REST or WebSocket ({@code transport}: rest or ws); {@code reason} as the verifier
     * said it (expired, bad signature, ...), {@code remote} the client's address or a session id, or null.
     */
    public static void tokenRejected(String transport, String reason, String remote) {
        LOG.info("auth_failure", "kind", "token", "transport", transport, "reason", reason, "remote", remote);
    }
}
