package io.parley.server.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Builds a {@link Config} from, in increasing precedence: {@link #DEFAULTS}, a properties file, and environment
 * variables {@code PARLEY_<KEY>} (key upper-cased, dots and dashes as underscores: {@code http.port} ->
 * {@code PARLEY_HTTP_PORT}). Unknown keys in the file are rejected so typos do not pass silently.
 */
public final class ConfigLoader {

    /** Every key with its default. The order is the order of docs/operations.md. */
    public static final Map<String, String> DEFAULTS = ConfigDefaults.all();

    /**
     * {@code log.level.<logger>}: the level of one logger and those under it (a package's name covers its classes and
     * sub-packages). The one key family not in {@link #DEFAULTS}: it has no default, any logger name may follow.
     */
    public static final String LOG_LEVEL_PREFIX = "log.level.";

    private ConfigLoader() {}

    /** Loads the file (if non-null) and the given environment over the defaults. */
    public static Config load(Path file, Map<String, String> env) {
        Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
        Map<String, String> source = new LinkedHashMap<>();
        DEFAULTS.keySet().forEach(k -> source.put(k, "default"));
        if (file != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
            }
            for (String key : p.stringPropertyNames()) {
                if (key.startsWith(LOG_LEVEL_PREFIX)) {
                    values.put(key, p.getProperty(key).trim());
                    source.put(key, file.toString());
                    continue;
                }
                if (!DEFAULTS.containsKey(key)) {
                    throw new ConfigException("unknown config key '" + key + "' in " + file + " (known keys: "
                            + String.join(", ", DEFAULTS.keySet()) + ")");
                }
                values.put(key, p.getProperty(key).trim());
                source.put(key, file.toString());
            }
        }
        for (String key : DEFAULTS.keySet()) {
            String v = env.get(envName(key));
            if (v != null) {
                values.put(key, v.trim());
                source.put(key, "environment " + envName(key));
            }
        }
        // PARLEY_LOG_LEVEL_IO_PARLEY_GATEWAY=debug is log.level.io.parley.gateway=debug (names of packages: lower
        // case, underscores as dots).
        String envPrefix = envName(LOG_LEVEL_PREFIX);
        env.forEach((name, v) -> {
            if (name.startsWith(envPrefix) && name.length() > envPrefix.length()) {
                String key = LOG_LEVEL_PREFIX
                        + name.substring(envPrefix.length())
                                .toLowerCase(Locale.ROOT)
                                .replace('_', '.');
                values.put(key, v.trim());
                source.put(key, "environment " + name);
            }
        });
        return new ConfigParser(values, source).parse();
    }

    /** Defaults only (plus overrides), for tests and embedding. */
    public static Config defaultsWith(Map<String, String> overrides) {
        Map<String, String> env = new LinkedHashMap<>();
        overrides.forEach((k, v) -> {
            if (!DEFAULTS.containsKey(k) && !k.startsWith(LOG_LEVEL_PREFIX)) {
                throw new ConfigException("unknown config key '" + k + "'");
            }
            env.put(envName(k), v);
        });
        return load(null, env);
    }

    public static String envName(String key) {
        return "PARLEY_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
