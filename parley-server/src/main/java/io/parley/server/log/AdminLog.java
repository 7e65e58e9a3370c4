package io.parley.server.log;

/**
 * What operators did to accounts and data, at info on {@code io.parley.admin}: one {@code admin_action} line per
 * action with {@code actor} (who: an operator's name or "cli"), {@code action} (create_user, reset_password, ban,
 * revoke_sessions, backup, ...), {@code target} (the user, conversation or file acted on) and the action's own
 * fields. Never a password or token among them.
 */
public final class AdminLog {
    private static final Log LOG = Log.named("io.parley.admin");

    private AdminLog() {}

    /** {@code details}: more fields as key, value pairs ({@code "conversations", 3}). */
    public static void action(String actor, String action, String target, Object... details) {
        Object[] kv = new Object[6 + details.length];
        kv[0] = "actor";
        kv[1] = actor;
        kv[2] = "action";
        kv[3] = action;
        kv[4] = "target";
        kv[5] = target;
        System.arraycopy(details, 0, kv, 6, details.length);
        LOG.log(java.util.logging.Level.INFO, "admin_action", kv);
    }
}
