package io.parley.server.log;

import java.util.Arrays;

/**
 * The named values of one structured log line, in the order given: {@code key1, value1, key2, value2, ...}. A
 * record carries it as its one parameter; {@link JsonFormatter} writes it as the {@code fields} object and
 * {@link TextFormatter} as {@code key=value} pairs. Values are written as JSON numbers, booleans and null where they
 * are such, everything else as strings. Never put a secret here: a line is read by whoever reads the logs.
 */
public final class Fields {
    private final Object[] keyValues;

    Fields(Object[] keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("fields come in key, value pairs: " + Arrays.toString(keyValues));
        }
        for (int i = 0; i < keyValues.length; i += 2) {
            if (!(keyValues[i] instanceof String)) {
                throw new IllegalArgumentException("field name at " + i + " is not a string: " + keyValues[i]);
            }
        }
        this.keyValues = keyValues.clone();
    }

    int size() {
        return keyValues.length / 2;
    }

    String key(int i) {
        return (String) keyValues[2 * i];
    }

    Object value(int i) {
        return keyValues[2 * i + 1];
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        TextFormatter.appendFields(b, this);
        return b.toString().trim();
    }
}
