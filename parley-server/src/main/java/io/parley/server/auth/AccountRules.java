package io.parley.server.auth;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What a built-in account's username and password must be: one rule for registration and the admin commands; and the
 * names no account may take, usernames and display names alike ({@link #reservedName}).
 */
public final class AccountRules {
    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9_.-]{3,32}");

    /**
     * How a stranger's pseudonym begins (the matching service makes {@code stranger-} and 6 random characters;
     * docs/protocol.md, "Matching"). No username or display name may begin so, or its owner could pass for a stranger
     * in a conversation list, a mention or a screenshot.
     */
    public static final String PSEUDONYM_PREFIX = "stranger-";

    public static final String RESERVED_RULE =
            "names beginning with '" + PSEUDONYM_PREFIX + "' (in any case) are reserved for stranger pseudonyms";

    /** Leading characters a reader does not see: white space, format characters (zero-width space, joiners, BOM). */
    private static final Pattern INVISIBLE_LEAD = Pattern.compile("^[\\p{Z}\\s\\p{Cf}]+");

    /** Any dash (hyphen, en dash, minus sign...) reads as the pseudonym's '-'. */
    private static final Pattern DASH = Pattern.compile("[\\p{Pd}\\u2212]");

    public static final String USERNAME_RULE = "username must be 3 to 32 characters: letters, digits, '_', '.', '-'";
    public static final String PASSWORD_RULE = "password must be 8 characters to 72 bytes";

    private AccountRules() {}

    public static boolean validUsername(String username) {
        return USERNAME.matcher(username).matches();
    }

    /**
     * True when {@code name} reads as a stranger's pseudonym: after NFKC (full-width and other compatibility forms
     * folded), without leading invisible characters, with any dash as '-', it begins with {@link #PSEUDONYM_PREFIX},
     * case ignored. Letters of other scripts that merely look Latin (a Cyrillic 'а') are not caught.
     */
    public static boolean reservedName(String name) {
        if (name == null) {
            return false;
        }
        String n = Normalizer.normalize(name, Normalizer.Form.NFKC);
        n = INVISIBLE_LEAD.matcher(n).replaceFirst("");
        n = DASH.matcher(n).replaceAll("-");
        return n.toLowerCase(Locale.ROOT).startsWith(PSEUDONYM_PREFIX);
    }

    /** At least 8 characters, at most 72 bytes as UTF-8 (bcrypt's limit: longer ones are refused, not truncated). */
    public static boolean validPassword(String password) {
        return password.length() >= 8 && password.getBytes(StandardCharsets.UTF_8).length <= 72;
    }
}
