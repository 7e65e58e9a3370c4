package io.parley.server.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The raw values of a configuration, after layering, read as types: each read checks its value, and a bad one is a
 * {@link ConfigException} naming the key, where its value came from (the default, the file, an environment
 * variable) and what is wrong. {@link ConfigParser} assembles the {@link Config} sections from these reads.
 */
class ConfigValues {
    /** Every key's value, trimmed. */
    final Map<String, String> values;
    /** Where each key's value came from, for error messages. */
    final Map<String, String> source;

    ConfigValues(Map<String, String> values, Map<String, String> source) {
        this.values = values;
        this.source = source;
    }

    /** A URL with its password (user:password@) replaced, for error messages. */
    static String redact(String url) {
        return url.replaceAll("://([^:/@]*):[^@/]*@", "://$1:***@");
    }

    ConfigException bad(String key, String why) {
        return bad(key, why, values.get(key));
    }

    ConfigException bad(String key, String why, String shown) {
        return new ConfigException(
                "invalid value for " + key + " (from " + source.get(key) + "): '" + shown + "' " + why);
    }

    String nonEmpty(String key) {
        String v = values.get(key);
        if (v.isEmpty()) {
            throw bad(key, "must not be empty");
        }
        return v;
    }

    String emptyToNull(String key) {
        String v = values.get(key);
        return v.isEmpty() ? null : v;
    }

    int intIn(String key, int min, long max) {
        String v = values.get(key);
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw bad(key, "is not an integer");
        }
        if (n < min || n > max) {
            throw bad(key, "must be between " + min + " and " + max);
        }
        return (int) n;
    }

    boolean bool(String key) {
        String v = values.get(key).toLowerCase(Locale.ROOT);
        if (v.equals("true")) {
            return true;
        }
        if (v.equals("false")) {
            return false;
        }
        throw bad(key, "must be true or false");
    }

    /** Durations: a number with a unit ms, s, m, h or d (e.g. 250ms, 25s, 24h). */
    Duration duration(String key, Duration min) {
        String v = values.get(key).toLowerCase(Locale.ROOT);
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("(\\d{1,9})(ms|s|m|h|d)").matcher(v);
        if (!m.matches()) {
            throw bad(key, "is not a duration (a number followed by ms, s, m, h or d, e.g. 25s)");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        if (d.compareTo(min) < 0) {
            throw bad(key, "must be at least " + min.toMillis() + "ms");
        }
        return d;
    }

    /** A duration within [min, max]; {@code maxText} is how the error names the maximum. */
    Duration duration(String key, Duration min, Duration max, String maxText) {
        Duration d = duration(key, min);
        if (d.compareTo(max) > 0) {
            throw bad(key, "must be at most " + maxText);
        }
        return d;
    }

    /** Comma-separated usernames (the registration rule: 3 to 32 of letters, digits, '_', '.', '-'). */
    List<String> usernames(String key) {
        List<String> out = new ArrayList<>();
        for (String n : values.get(key).split(",")) {
            String t = n.trim();
            if (t.isEmpty()) {
                continue;
            }
            if (!t.matches("[A-Za-z0-9_.-]{3,32}")) {
                throw bad(
                        key, "entries must be usernames (3 to 32 of letters, digits, '_', '.', '-'), got '" + t + "'");
            }
            out.add(t);
        }
        return List.copyOf(out);
    }

    List<String> origins(String key) {
        String v = values.get(key);
        if (v.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String o : Arrays.asList(v.split(","))) {
            String t = o.trim();
            if (t.isEmpty()) {
                continue;
            }
            if (!t.equals("*") && !t.matches("https?://[^/\\s]+")) {
                throw bad(
                        key, "entries must be '*' or origins like https://chat.example.com (no path), got '" + t + "'");
            }
            out.add(t.toLowerCase(Locale.ROOT));
        }
        return List.copyOf(out);
    }
}
