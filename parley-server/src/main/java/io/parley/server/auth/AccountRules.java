package io.parley.server.auth;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/** What a built-in account's username and password must be: one rule for registration and the admin commands. */
public final class AccountRules {
    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9_.-]{3,32}");

    public static final String USERNAME_RULE = "username must be 3 to 32 characters: letters, digits, '_', '.', '-'";
    public static final String PASSWORD_RULE = "password must be 8 characters to 72 bytes";

    private AccountRules() {}

    public static boolean validUsername(String username) {
        return USERNAME.matcher(username).matches();
    }

    /** At least 8 characters, at most 72 bytes as UTF-8 (bcrypt's limit: longer ones are refused, not truncated). */
    public static boolean validPassword(String password) {
        return password.length() >= 8 && password.getBytes(StandardCharsets.UTF_8).length <= 72;
    }
}
