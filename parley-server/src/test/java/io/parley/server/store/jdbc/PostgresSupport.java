package io.parley.server.store.jdbc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The machine's PostgreSQL (127.0.0.1:5432, trust auth, database {@code test}) for tests: each test works in a schema
 * of its own and drops it. With CI=true an unreachable PostgreSQL fails the test; elsewhere it is skipped.
 */
public final class PostgresSupport {
    public static final String ADMIN_JDBC = "jdbc:postgresql://127.0.0.1:5432/test";
    public static final String USER = "postgres";

    private PostgresSupport() {}

    public static void requirePostgres() {
        try (Connection c = DriverManager.getConnection(ADMIN_JDBC, USER, null)) {
            c.isValid(2);
        } catch (SQLException e) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(
                        "PostgreSQL is not reachable at 127.0.0.1:5432/test (CI=true: this test needs it): "
                                + e.getMessage());
            }
            Assumptions.abort("PostgreSQL is not reachable at 127.0.0.1:5432/test; skipped outside CI");
        }
    }

    public static String newSchema() {
        return "parley_t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    /** A store URL for the schema, as users write it in the config. */
    public static String url(String schema) {
        return "postgresql://" + USER + "@127.0.0.1:5432/test?schema=" + schema;
    }

    public static void execute(String sql) {
        try (Connection c = DriverManager.getConnection(ADMIN_JDBC, USER, null);
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    public static void dropSchema(String schema) {
        execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
}
