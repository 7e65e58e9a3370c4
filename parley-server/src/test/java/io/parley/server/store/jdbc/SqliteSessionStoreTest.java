package io.parley.server.store.jdbc;

import io.parley.server.store.ChatStore;
import io.parley.server.store.SessionStore;
import io.parley.server.store.SessionStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteSessionStoreTest extends SessionStoreContract {
    @TempDir
    Path dir;

    @Override
    protected ChatStore createChatStore() {
        return JdbcChatStore.openSqlite(dir.resolve("parley.db"), SqliteOptions.defaults(), c -> {});
    }

    @Override
    protected SessionStore createSessionStore() {
        return JdbcSessionStore.openSqlite(dir.resolve("parley.db"));
    }

    @Override
    protected void cleanup() {}
}
