/**
 * The operator's command line, {@code java -jar parley.jar admin <command>} (docs/operations.md, "Administration"):
 * accounts (create, reset a password, ban and unban), exporting a conversation, backing up and restoring the SQLite
 * store, and a read-only self-check. Each command reads the server's configuration, opens the store itself (its own
 * connections, beside a running server), does its one thing and exits with a status; what it changes is logged to
 * the {@code io.parley.admin} logger.
 * <p>
 * Rung 6, between the composition root (whose {@code Main} dispatches here) and the faces and adapters: it opens the
 * store through {@code store.jdbc} as the root does. May import every package below it (store.jdbc, chat, auth, wire,
 * store, config and the rest of the lower rungs) and the protocol module.
 */
package io.parley.server.admin;
