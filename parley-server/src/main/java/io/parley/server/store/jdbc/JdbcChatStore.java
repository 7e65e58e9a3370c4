package io.parley.server.store.jdbc;
import io.parley.server.store.*;
public abstract class JdbcChatStore implements ChatStore {
  public static JdbcChatStore openSqlite(java.nio.file.Path f, SqliteOptions o, CommitListener l) { throw new UnsupportedOperationException(); }
}
