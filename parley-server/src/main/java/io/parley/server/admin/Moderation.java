package io.parley.server.admin;

import io.parley.server.config.StoreUrl;
import io.parley.server.store.DeviceSession;
import io.parley.server.store.ModerationStore;
import io.parley.server.store.Revocation;
import io.parley.server.store.SessionStore;
import io.parley.server.store.StoreException;
import io.parley.server.store.User;
import io.parley.server.store.jdbc.JdbcChatStore;
import io.parley.server.store.jdbc.JdbcSessionStore;
import io.parley.server.store.jdbc.PostgresOptions;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** grant-admin, revoke-admin, sessions list and sessions revoke; each audited in the server-wide audit log. */
final class Moderation {
    private Moderation() {}

    /** The audit log's actor for the operator's commands: the OS user who ran them. */
    static String actor() {
        return "cli:" + System.getProperty("user.name", "?");
    }

    static void setAdmin(Admin.Context ctx, boolean admin) throws Exception {
        ctx.args().expectOperands(1, "one username");
        String username = ctx.args().operands().get(0);
        try (JdbcChatStore store = Stores.open(ctx.config(), false)) {
            User user = Stores.await(store.findUserByUsername(username))
                    .orElseThrow(() -> new Admin.Failure("no user named '" + username + "'"));
            boolean changed;
            try {
                changed = Stores.await(
                        store.moderation().setAdmin(actor(), user.id(), admin, System.currentTimeMillis()));
            } catch (StoreException.UnknownUser e) {
                throw new Admin.Failure("no user named '" + username + "'");
            }
            String name = username + " (" + user.id() + ")";
            if (!changed) {
                ctx.out().println(name + (admin ? " was already a server admin" : " was not a server admin"));
                return;
            }
            Admin.log(admin ? "grant_admin" : "revoke_admin", name, "user_id", user.id());
            ctx.out()
                    .println(name + (admin ? " is a server admin" : " is no longer a server admin")
                            + " (running nodes know within 1 s)");
        }
    }

    /** {@code sessions list <username>} and {@code sessions revoke <sessionId>}. */
    static void sessions(Admin.Context ctx) throws Exception {
        List<String> ops = ctx.args().operands();
        if (ops.size() != 2 || !(ops.get(0).equals("list") || ops.get(0).equals("revoke"))) {
            throw new Admin.Failure("sessions takes 'list <username>' or 'revoke <sessionId>'", Admin.USAGE);
        }
        try (JdbcChatStore store = Stores.open(ctx.config(), false);
                SessionStore sessions = openSessions(ctx)) {
            if (ops.get(0).equals("list")) {
                User user = Stores.await(store.findUserByUsername(ops.get(1)))
                        .orElseThrow(() -> new Admin.Failure("no user named '" + ops.get(1) + "'"));
                List<DeviceSession> list = Stores.await(sessions.sessions(user.id()));
                for (DeviceSession s : list) {
                    ctx.out()
                            .println(String.join(
                                    "\t",
                                    s.id(),
                                    Instant.ofEpochMilli(s.createdAt()).toString(),
                                    Instant.ofEpochMilli(s.lastSeenAt()).toString(),
                                    String.valueOf(s.platform()),
                                    String.valueOf(s.name()),
                                    String.valueOf(s.ip()),
                                    s.external() ? "external" : "login"));
                }
                ctx.err()
                        .println(list.size() + " live session(s) of " + ops.get(1)
                                + " (id, created, last seen, platform, name, ip, kind)");
                return;
            }
            String id = ops.get(1);
            DeviceSession s =
                    Stores.await(sessions.session(id)).orElseThrow(() -> new Admin.Failure("no session '" + id + "'"));
            long now = System.currentTimeMillis();
            Optional<Revocation> r = Stores.await(sessions.revokeSession(s.userId(), id, now));
            if (r.isEmpty()) {
                ctx.out().println("session " + id + " was already revoked");
                return;
            }
            Stores.await(store.moderation()
                    .audit(new ModerationStore.AdminAudit(
                            0, actor(), "revoke_session", s.userId(), null, null, id, now)));
            Admin.log("revoke_session", id, "user_id", s.userId());
            ctx.out()
                    .println("session " + id + " of " + s.userId() + " revoked: its tokens are refused and its"
                            + " connections closed (4003) on every running node within 1 s");
        }
    }

    private static SessionStore openSessions(Admin.Context ctx) {
        return ctx.config().store().url() instanceof StoreUrl.Postgres pg
                ? JdbcSessionStore.openPostgres(PostgresOptions.of(pg, 1, 1))
                : JdbcSessionStore.openSqlite(Stores.sqliteFile(ctx.config()));
    }
}
