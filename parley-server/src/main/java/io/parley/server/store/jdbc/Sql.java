package io.parley.server.store.jdbc;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/** A source of prepared statements cached on one connection (the writer's, or one reader thread's). */
@FunctionalInterface
interface Sql {
    PreparedStatement ps(String sql) throws SQLException;
}
