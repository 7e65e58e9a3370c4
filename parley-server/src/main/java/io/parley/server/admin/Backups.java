package io.parley.server.admin;

import io.parley.server.config.Config;
import io.parley.server.store.jdbc.SqliteBackup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * backup and restore of the SQLite store. A backup is two files: the database copy ({@code FILE}, SQLite's online
 * copy, see {@link SqliteBackup}) and the JWT secret beside it ({@code FILE.jwt-secret}), without which every token
 * issued before the backup would be refused after a restore. PostgreSQL has its own tools (pg_dump, pg_restore).
 */
final class Backups {
    /** The files SQLite keeps for one database. */
    private static final List<String> DB_SUFFIXES = List.of("", "-wal", "-shm");

    private Backups() {}

    static void backup(Admin.Context ctx) throws Exception {
        ctx.args().expectOperands(0, "no operands (backup --out FILE)");
        requireSqlite(ctx.config(), "pg_dump (for example pg_dump -Fc -f parley.dump DATABASE)");
        String out = ctx.args().option("out");
        if (out == null) {
            throw new Admin.Failure("backup needs --out FILE", Admin.USAGE);
        }
        Path target = Path.of(out);
        Path secretCopy = secretBeside(target);
        if (Files.exists(target) || Files.exists(secretCopy)) {
            throw new Admin.Failure(target + " or " + secretCopy + " exists; back up to a new file");
        }
        Path db = Stores.sqliteFile(ctx.config());
        SqliteBackup.copyOnline(db, target);
        Path secret = ctx.config().dataDir().resolve("jwt-secret");
        String secretNote;
        if (Files.isRegularFile(secret)) {
            copyPrivate(secret, secretCopy);
            secretNote = "jwt-secret copied to " + secretCopy;
        } else if (ctx.config().auth().jwtSecret() != null) {
            secretNote = "the JWT secret is set by auth.jwt-secret (keep that setting with the backup)";
        } else {
            secretNote = "no jwt-secret in " + ctx.config().dataDir() + " (the server has not started yet)";
        }
        Admin.log("backup", target.toString(), "database", db.toString(), "jwt_secret", secretNote);
        ctx.out().println("backup of " + db + " written to " + target + "; " + secretNote);
    }

    static void restore(Admin.Context ctx) throws Exception {
        ctx.args().expectOperands(0, "no operands (restore --from FILE [--force])");
        requireSqlite(ctx.config(), "pg_restore (for example pg_restore --clean -d DATABASE parley.dump)");
        String from = ctx.args().option("from");
        if (from == null) {
            throw new Admin.Failure("restore needs --from FILE", Admin.USAGE);
        }
        Path source = Path.of(from);
        String version;
        try {
            version = SqliteBackup.checkRestorable(source);
        } catch (java.sql.SQLException e) {
            throw new Admin.Failure("not restorable: " + e.getMessage());
        }
        Config config = ctx.config();
        Path dataDir = config.dataDir();
        Files.createDirectories(dataDir);
        // The port first: a server in this very process (tests) must not see a channel on its lock file closed.
        refuseIfServing(config);
        try (DataDirHold hold = DataDirHold.take(dataDir)) {
            Path db = Stores.sqliteFile(config);
            boolean exists = DB_SUFFIXES.stream().anyMatch(s -> Files.exists(sibling(db, s)));
            if (exists && !ctx.args().flag("force")) {
                throw new Admin.Failure(db + " exists; restore --force replaces it (the current files are kept"
                        + " beside it, renamed)");
            }
            String stamp = Long.toString(System.currentTimeMillis());
            List<String> keptAside = new ArrayList<>();
            for (String s : DB_SUFFIXES) {
                Path current = sibling(db, s);
                if (Files.exists(current)) {
                    Path aside = sibling(db, s + ".before-restore-" + stamp);
                    Files.move(current, aside);
                    keptAside.add(aside.getFileName().toString());
                }
            }
            Files.createDirectories(db.toAbsolutePath().getParent());
            Path partial = sibling(db, ".restoring");
            Files.copy(source, partial, StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, db, StandardCopyOption.ATOMIC_MOVE);
            String secretNote = restoreSecret(config, source, stamp, keptAside);
            Admin.log(
                    "restore",
                    db.toString(),
                    "from",
                    source.toString(),
                    "schema_version",
                    version,
                    "jwt_secret",
                    secretNote,
                    "kept_aside",
                    String.join(", ", keptAside));
            ctx.out()
                    .println("restored " + source + " to " + db + "; " + secretNote
                            + (keptAside.isEmpty() ? "" : "; the files it replaced: " + String.join(", ", keptAside)));
        }
    }

    private static String restoreSecret(Config config, Path source, String stamp, List<String> keptAside)
            throws IOException {
        Path saved = secretBeside(source);
        Path secret = config.dataDir().resolve("jwt-secret");
        if (!Files.isRegularFile(saved)) {
            return "no " + saved.getFileName() + " beside the backup: the JWT secret is left as it is";
        }
        if (Files.isRegularFile(secret)) {
            if (Files.mismatch(saved, secret) == -1) {
                return "jwt-secret unchanged (the same as the backup's)";
            }
            Path aside = config.dataDir().resolve("jwt-secret.before-restore-" + stamp);
            Files.move(secret, aside);
            keptAside.add(aside.getFileName().toString());
        }
        copyPrivate(saved, secret);
        return "jwt-secret restored from " + saved
                + (config.auth().jwtSecret() != null ? " (but auth.jwt-secret is set, and wins)" : "");
    }

    private static void requireSqlite(Config config, String tool) throws Admin.Failure {
        if (!config.store().isSqlite()) {
            throw new Admin.Failure("the store is PostgreSQL (" + config.store().url() + "): use " + tool
                    + "; copy the JWT secret (auth.jwt-secret) with it");
        }
    }

    /**
     * A restore swaps the files under a running server only over its dead body: refused while something answers on
     * the configured port. (Port 0, a free port each start, cannot be checked: then the lock of the data dir is all.)
     */
    private static void refuseIfServing(Config config) throws Admin.Failure {
        int port = config.http().port();
        if (port == 0) {
            return;
        }
        String host = config.http().host();
        if (host.equals("0.0.0.0") || host.equals("::")) {
            host = "127.0.0.1";
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 1_000);
        } catch (IOException e) {
            return;
        }
        throw new Admin.Failure("a server answers on " + host + ":" + port + "; stop it before restoring");
    }

    /**
     * Holds every lock file in the data dir while the restore runs (a server keeps its data dir locked while it runs):
     * a lock held by another process means a server is running there, and holding it keeps one from starting midway.
     */
    private static final class DataDirHold implements AutoCloseable {
        private final List<FileChannel> channels = new ArrayList<>();

        static DataDirHold take(Path dataDir) throws Exception {
            DataDirHold hold = new DataDirHold();
            try (DirectoryStream<Path> locks = Files.newDirectoryStream(dataDir, "*.lock")) {
                for (Path lock : locks) {
                    FileChannel channel = FileChannel.open(lock, StandardOpenOption.WRITE);
                    hold.channels.add(channel);
                    FileLock taken;
                    try {
                        taken = channel.tryLock();
                    } catch (OverlappingFileLockException e) {
                        taken = null;
                    }
                    if (taken == null) {
                        throw new Admin.Failure("a server holds " + lock
                                + " (it is running on this data dir); stop it before restoring");
                    }
                }
            } catch (Admin.Failure | IOException | RuntimeException e) {
                hold.close();
                throw e;
            }
            return hold;
        }

        @Override
        public void close() throws IOException {
            IOException first = null;
            for (FileChannel c : channels) {
                try {
                    c.close();
                } catch (IOException e) {
                    if (first == null) {
                        first = e;
                    } else {
                        first.addSuppressed(e);
                    }
                }
            }
            channels.clear();
            if (first != null) {
                throw first;
            }
        }
    }

    private static Path sibling(Path file, String suffix) {
        return file.resolveSibling(file.getFileName() + suffix);
    }

    static Path secretBeside(Path backup) {
        return sibling(backup, ".jwt-secret");
    }

    private static void copyPrivate(Path from, Path to) throws IOException {
        try {
            Files.createFile(to, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(to);
        }
        // Written into the file just made, so it keeps its owner-only permissions.
        Files.write(to, Files.readAllBytes(from), StandardOpenOption.TRUNCATE_EXISTING);
    }
}
