package io.parley.server.admin;

import io.parley.server.config.Config;
import io.parley.server.config.StoreUrl;
import io.parley.server.store.CommitListener;
import io.parley.server.store.jdbc.JdbcChatStore;
import io.parley.server.store.jdbc.PostgresOptions;
import io.parley.server.store.jdbc.SqliteOptions;
import io.parley.server.store.jdbc.StoreCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** How a command reaches the configured store: the same {@code store.url} as the server, connections of its own. */
final class Stores {
    /** The longest a command waits for one store operation. */
    private static final long WAIT_SECONDS = 60;

    private Stores() {}

    /**
     * Opens the store as the server does (migrating a database older than this Parley, creating one when
     * {@code create}), with one reader and its own writer: beside a running server, SQLite lets one writer at a time
     * commit (a command's write waits for the server's batch, and the other way round); PostgreSQL takes the same
     * row locks as another node.
     */
    static JdbcChatStore open(Config config, boolean create) throws Admin.Failure {
        if (config.store().url() instanceof StoreUrl.Postgres pg) {
            return JdbcChatStore.openPostgres(PostgresOptions.of(pg, 2, 64), CommitListener.NONE);
        }
        Path file = sqliteFile(config);
        if (!create && !Files.isRegularFile(file)) {
            throw new Admin.Failure("no database at " + file.toAbsolutePath()
                    + " (check data.dir and store.url, or start the server once)");
        }
        return JdbcChatStore.openSqlite(file, new SqliteOptions(config.store().fsync(), 64, 1), CommitListener.NONE);
    }

    /** A read-only snapshot connection for checks; never creates a database. */
    static StoreCheck check(Config config) throws SQLException, Admin.Failure {
        if (config.store().url() instanceof StoreUrl.Postgres pg) {
            return StoreCheck.postgres(pg);
        }
        Path file = sqliteFile(config);
        if (!Files.isRegularFile(file)) {
            throw new Admin.Failure("no database at " + file.toAbsolutePath() + " (check data.dir and store.url)");
        }
        return StoreCheck.sqlite(file);
    }

    static Path sqliteFile(Config config) {
        return config.store().sqliteFile(config.dataDir());
    }

    /** Where the command works, for its log line and messages. */
    static String describe(Config config) {
        return config.store().url() instanceof StoreUrl.Postgres pg
                ? "PostgreSQL " + pg
                : "SQLite " + sqliteFile(config).toAbsolutePath().normalize();
    }

    /** Waits for a store operation; its failure is thrown as is (a StoreException, or what made the store fail). */
    static <T> T await(CompletableFuture<T> f) throws Exception {
        try {
            return f.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        } catch (TimeoutException e) {
            throw new Admin.Failure("the store did not answer within " + WAIT_SECONDS + " s");
        }
    }
}
