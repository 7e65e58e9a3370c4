package io.parley.server.config;

/** A configuration value is invalid; the message names the key, where it came from, and the value. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
