package io.parley.server.store.jdbc;

import io.parley.server.store.SessionStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqlitePushStoreTest extends PushStoreContract {
    @TempDir
    Path dir;

    @Override
    protected JdbcChatStore createChatStore() {
        return JdbcChatStore.openSqlite(dir.resolve("parley.db"), SqliteOptions.defaults(), c -> {});
    }

    @Override
    protected SessionStore createSessionStore() {
        return JdbcSessionStore.openSqlite(dir.resolve("parley.db"));
    }
}
