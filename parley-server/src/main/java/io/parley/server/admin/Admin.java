package io.parley.server.admin;

import io.parley.server.config.Config;
import io.parley.server.config.ConfigException;
import io.parley.server.config.ConfigLoader;
import io.parley.server.log.AdminLog;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar parley.jar admin <command> [options]}: one operator command against the deployment the
 * configuration describes (the server's own: {@code --config FILE}, {@code PARLEY_CONFIG}, ./parley.properties, then
 * {@code PARLEY_*} variables). Prints results on {@code out}, complaints on {@code err}, and returns the exit status:
 * {@link #OK}, {@link #FAILED} (the command could not do it, or {@code verify} found problems), {@link #USAGE}.
 */
public final class Admin {
    /** A command's unexpected failure is logged here, beside the actions ({@link #log}). */
    static final Logger LOG = LoggerFactory.getLogger("io.parley.admin");

    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    static final String HELP = String.join(
            "\n",
            "usage: java -jar parley.jar admin <command> [options] [--config FILE]",
            "",
            "Reads the server's configuration (--config FILE, PARLEY_CONFIG, ./parley.properties, PARLEY_* variables)",
            "and works on its store (store.url: SQLite or PostgreSQL) beside a running server unless said otherwise.",
            "",
            "  create-user <username> [--password-file FILE]",
            "        create a built-in account; the password is the first line of FILE, or of stdin; prints the user id",
            "  reset-password <username> [--password-file FILE]",
            "        set a new password (tokens already issued stay valid until they expire: ban to cut them off)",
            "  ban <username> | ban --id <userId>",
            "        refuse the user's login and tokens (REST and WebSocket) and close their live sessions with 4001 on",
            "        every node within 1 s; --id for users of external tokens, who have no username",
            "  unban <username> | unban --id <userId>",
            "  grant-admin <username> | revoke-admin <username>",
            "        make the user a server admin (the /api/v1/admin endpoints, muting in any conversation) or no",
            "        longer one; running nodes know within 1 s",
            "  sessions list <username>",
            "        the user's live device sessions: id, created, last seen, platform, name, ip, kind",
            "  sessions revoke <sessionId>",
            "        revoke one session: its tokens are refused and its connections closed (4003) on every node within",
            "        1 s (through the revocation log)",
            "  export <conversationId> [--out FILE]",
            "        the conversation's events as JSON lines (the REST event shape), in seq order, to stdout or FILE",
            "  backup --out FILE",
            "        online copy of the SQLite store (safe while the server runs), with jwt-secret and vapid-keys",
            "        as FILE.jwt-secret and FILE.vapid-keys and the attachments' blobs as FILE.blobs/;",
            "        on PostgreSQL use pg_dump",
            "  restore --from FILE [--force]",
            "        put a backup (and FILE.jwt-secret, FILE.vapid-keys, FILE.blobs/) in place; the server must be stopped;",
            "        --force when a database exists (it is kept beside, renamed); on PostgreSQL use pg_restore",
            "  verify",
            "        read-only self-check (seqs, messages, members, receipt cursors); exit 0 when clean, 1 when not",
            "  search-rebuild [--wait]",
            "        queue every message for the search index again (online: searches keep answering meanwhile);",
            "        the running nodes index it; --wait indexes the backlog here until it is empty",
            "",
            "Exit status: 0 done, 1 failed (or verify found problems), 2 usage or configuration error.");

    private Admin() {}

    /** A failure the operator is told about in one line, with the exit status to end with. */
    static final class Failure extends Exception {
        final int status;

        Failure(String message) {
            this(message, FAILED);
        }

        Failure(String message, int status) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    /** What a command gets: its parsed arguments, the configuration and the three streams. */
    record Context(Args args, Config config, InputStream in, PrintStream out, PrintStream err) {}

    /** Runs one command and returns its exit status; never exits the JVM (Main does). Logging stays as it is. */
    public static int run(
            List<String> argv, InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
        return run(argv, in, out, err, env, config -> {});
    }

    /**
     * As {@link #run(List, InputStream, PrintStream, PrintStream, Map)}, handing the configuration to {@code logging}
     * once it is loaded, before the command runs (Main sets up the process's log lines from it, as for the server).
     */
    public static int run(
            List<String> argv,
            InputStream in,
            PrintStream out,
            PrintStream err,
            Map<String, String> env,
            java.util.function.Consumer<Config> logging) {
        Args args;
        try {
            args = Args.parse(argv);
        } catch (Failure f) {
            err.println("parley admin: " + f.getMessage() + " (try: admin --help)");
            return f.status;
        }
        if (args.flag("help") || args.command() == null || args.command().equals("help")) {
            (args.command() == null && !args.flag("help") ? err : out).println(HELP);
            return args.command() == null && !args.flag("help") ? USAGE : OK;
        }
        Config config;
        try {
            config = ConfigLoader.load(configFile(args, env), env);
        } catch (ConfigException e) {
            err.println("parley admin: " + e.getMessage());
            return USAGE;
        }
        logging.accept(config);
        Context ctx = new Context(args, config, in, out, err);
        try {
            switch (args.command()) {
                case "create-user":
                    Accounts.createUser(ctx);
                    break;
                case "reset-password":
                    Accounts.resetPassword(ctx);
                    break;
                case "ban":
                    Accounts.ban(ctx, true);
                    break;
                case "unban":
                    Accounts.ban(ctx, false);
                    break;
                case "grant-admin":
                    Moderation.setAdmin(ctx, true);
                    break;
                case "revoke-admin":
                    Moderation.setAdmin(ctx, false);
                    break;
                case "sessions":
                    Moderation.sessions(ctx);
                    break;
                case "export":
                    Export.run(ctx);
                    break;
                case "backup":
                    Backups.backup(ctx);
                    break;
                case "restore":
                    Backups.restore(ctx);
                    break;
                case "verify":
                    return Verify.run(ctx);
                case "search-rebuild":
                    SearchRebuild.run(ctx);
                    break;
                default:
                    throw new Failure("unknown command '" + args.command() + "'", USAGE);
            }
            return OK;
        } catch (Failure f) {
            err.println("parley admin " + args.command() + ": " + f.getMessage()
                    + (f.status == USAGE ? " (try: admin --help)" : ""));
            return f.status;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("parley admin " + args.command() + ": interrupted");
            return FAILED;
        } catch (Exception e) {
            // Anything else (the store unreachable, a disk full, ...) ends the command: said, logged, non-zero.
            LOG.warn("admin {} failed", args.command(), e);
            err.println("parley admin " + args.command() + ": failed: " + e.getMessage());
            return FAILED;
        }
    }

    /** As the server finds its file (Main): --config, then PARLEY_CONFIG, then ./parley.properties when present. */
    private static Path configFile(Args args, Map<String, String> env) {
        if (args.option("config") != null) {
            return Path.of(args.option("config"));
        }
        if (env.get("PARLEY_CONFIG") != null) {
            return Path.of(env.get("PARLEY_CONFIG"));
        }
        return Files.exists(Path.of("parley.properties")) ? Path.of("parley.properties") : null;
    }

    /**
     * Logs what a command did: one {@code admin_action} line on {@code io.parley.admin} ({@link AdminLog}), the actor
     * being the OS user who ran it. Never a password.
     */
    static void log(String action, String target, Object... details) {
        AdminLog.action("cli:" + System.getProperty("user.name", "?"), action, target, details);
    }
}
