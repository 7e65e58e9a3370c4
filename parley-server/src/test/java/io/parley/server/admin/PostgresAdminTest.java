package io.parley.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.store.jdbc.PostgresSupport;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The admin commands on PostgreSQL, in a schema of the test's own (CI=true: fails when PostgreSQL is not there). */
class PostgresAdminTest extends AdminCommandsContract {
    private final String schema = PostgresSupport.newSchema();

    @Override
    void prepareStore() {
        PostgresSupport.requirePostgres();
    }

    @Override
    Map<String, String> storeSettings() {
        return Map.of("store.url", PostgresSupport.url(schema));
    }

    @Override
    Connection raw() throws SQLException {
        Connection c = DriverManager.getConnection(PostgresSupport.ADMIN_JDBC, PostgresSupport.USER, null);
        c.setSchema(schema);
        return c;
    }

    @Override
    void dropMemberUserForeignKey() throws SQLException {
        try (Connection c = raw();
                Statement s = c.createStatement()) {
            s.execute("ALTER TABLE members DROP CONSTRAINT members_user_id_fkey");
        }
    }

    @AfterEach
    void dropSchema() {
        if (server != null) {
            server.stop();
            PostgresSupport.dropSchema(schema);
        }
    }

    @Test
    void backupAndRestore_onPostgres_pointToPgDumpAndPgRestore() {
        AdminRun.Result backup =
                admin.run("backup", "--out", dir.resolve("b.db").toString());
        AdminRun.Result restore =
                admin.run("restore", "--from", dir.resolve("b.db").toString());

        assertThat(backup.status()).as(backup.toString()).isEqualTo(Admin.FAILED);
        assertThat(backup.err()).contains("pg_dump");
        assertThat(restore.status()).as(restore.toString()).isEqualTo(Admin.FAILED);
        assertThat(restore.err()).contains("pg_restore");
        assertThat(dir.resolve("b.db")).doesNotExist();
    }
}
