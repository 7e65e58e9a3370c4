package io.parley.server.store.jdbc;

import io.parley.server.store.ChatStore;
import io.parley.server.store.SessionStore;
import io.parley.server.store.SessionStoreContract;
import org.junit.jupiter.api.BeforeAll;

class PostgresSessionStoreTest extends SessionStoreContract {
    private final String schema = PostgresSupport.newSchema();

    @BeforeAll
    static void postgres() {
        PostgresSupport.requirePostgres();
    }

    @Override
    protected ChatStore createChatStore() {
        return JdbcChatStore.openPostgres(PostgresOptions.fromUrl(PostgresSupport.url(schema), 3, 512), c -> {});
    }

    @Override
    protected SessionStore createSessionStore() {
        return JdbcSessionStore.openPostgres(PostgresOptions.fromUrl(PostgresSupport.url(schema), 1, 1));
    }

    @Override
    protected void cleanup() {
        PostgresSupport.dropSchema(schema);
    }
}
