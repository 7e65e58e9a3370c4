package io.parley.server.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link StoreCheck#SCHEMA_VERSION} (what {@code admin verify} and {@code restore} accept) is the newest migration of
 * both dialects, so a new migration without it fails here.
 */
class SchemaVersionTest {
    private static final Pattern VERSION = Pattern.compile("V(\\d+)__.*\\.sql");

    private static int newest(String dialect) throws Exception {
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/db/migration", dialect))) {
            return files.map(f -> VERSION.matcher(f.getFileName().toString()))
                    .filter(Matcher::matches)
                    .mapToInt(m -> Integer.parseInt(m.group(1)))
                    .max()
                    .orElseThrow();
        }
    }

    @Test
    void schemaVersion_isTheNewestMigrationOfBothDialects() throws Exception {
        assertThat(newest("sqlite")).isEqualTo(StoreCheck.SCHEMA_VERSION);
        assertThat(newest("postgresql")).isEqualTo(StoreCheck.SCHEMA_VERSION);
    }
}
