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
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * backup and restore of the SQLite store. A backup is the database copy ({@code FILE}, SQLite's online copy, see
 * {@link SqliteBackup}) and, beside it, what the server generated in the data dir on its first start and must keep:
 * the JWT secret ({@code FILE.jwt-secret}), without which every token issued before the backup would be refused after
 * a restore, and the Web Push VAPID key pair ({@code FILE.vapid-keys}), without which every browser's push
 * subscription (made against its public key) would stop receiving pushes; and the embedded blob store's files (the
 * attachments, {@code FILE.blobs/}), copied after the database, so every blob the copy refers to is there (a blob is
 * written once, whole, and never changes). PostgreSQL has its own tools (pg_dump, pg_restore).
 */
final class Backups {
    /**
     * The files SQLite keeps for the store: the database and the search index's ({@code -search}), each with its
     * WAL and shared memory. A restore moves the index aside with the rest, and the server makes it anew from the
     * restored messages at its next start (the backup holds no index: it can always be made again).
     */
    private static final List<String> DB_SUFFIXES =
            List.of("", "-wal", "-shm", "-search", "-search-wal", "-search-shm");

    /**
     * A file the server makes in the data dir on first start and reads at every start, kept beside the backup as
     * {@code FILE.<name>}. {@code setting}: the configuration that replaces the file when set, or null.
     */
    private record Kept(String name, String setting) {}

    private static final List<Kept> KEPT =
            List.of(new Kept("jwt-secret", "auth.jwt-secret"), new Kept("vapid-keys", null));

    /** The blob store's directory of uploads in progress: never part of a backup. */
    private static final String INCOMING = ".incoming";

    private Backups() {}

    static void backup(Admin.Context ctx) throws Exception {
        ctx.args().expectOperands(0, "no operands (backup --out FILE)");
        requireSqlite(ctx.config(), "pg_dump (for example pg_dump -Fc -f parley.dump DATABASE)");
        String out = ctx.args().option("out");
        if (out == null) {
            throw new Admin.Failure("backup needs --out FILE", Admin.USAGE);
        }
        Path target = Path.of(out);
        List<Path> beside = new ArrayList<>();
        for (Kept k : KEPT) {
            beside.add(sibling(target, "." + k.name()));
        }
        beside.add(blobsBeside(target));
        if (Files.exists(target) || beside.stream().anyMatch(Files::exists)) {
            throw new Admin.Failure(target + " or a file beside it ("
                    + beside.stream()
                            .map(p -> p.getFileName().toString())
                            .reduce((a, b) -> a + ", " + b)
                            .orElseThrow() + ") exists; back up to a new file");
        }
        Config config = ctx.config();
        Path db = Stores.sqliteFile(config);
        SqliteBackup.copyOnline(db, target);
        List<String> notes = new ArrayList<>();
        for (Kept k : KEPT) {
            Path file = config.dataDir().resolve(k.name());
            Path copy = sibling(target, "." + k.name());
            if (Files.isRegularFile(file)) {
                copyPrivate(file, copy);
                notes.add(k.name() + " copied to " + copy);
            } else if (k.name().equals("jwt-secret") && config.auth().jwtSecret() != null) {
                notes.add("the JWT secret is set by auth.jwt-secret (keep that setting with the backup)");
            } else {
                notes.add("no " + k.name() + " in " + config.dataDir() + " (the server has not started yet)");
            }
        }
        notes.add(backupBlobs(config, blobsBeside(target)));
        String note = String.join("; ", notes);
        Admin.log("backup", target.toString(), "database", db.toString(), "kept", note);
        ctx.out().println("backup of " + db + " written to " + target + "; " + note);
    }

    /**
     * Copies the embedded blob store's files (not its uploads in progress) to {@code to}; what it did, for the
     * output. Runs after the database copy: a blob the copy refers to was complete before it, and blobs never change.
     */
    private static String backupBlobs(Config config, Path to) throws IOException {
        Path root = blobRoot(config);
        if (root == null) {
            return "attachments are in S3 (" + config.attachments().s3().bucket()
                    + "): back the bucket up with the S3 provider's tools";
        }
        if (!Files.isDirectory(root)) {
            return "no blob directory " + root + " (no attachment stored yet)";
        }
        Files.createDirectories(to);
        long[] copied = {0};
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path rel = root.relativize(p);
                if (rel.getNameCount() > 0 && rel.getName(0).toString().equals(INCOMING)) {
                    continue;
                }
                Path dest = to.resolve(rel.toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else if (Files.isRegularFile(p)) {
                    try {
                        Files.copy(p, dest, StandardCopyOption.COPY_ATTRIBUTES);
                        copied[0]++;
                    } catch (NoSuchFileException e) {
                        // Deleted since the walk listed it (an unreferenced upload pruned): the copy needs it no more.
                        Files.deleteIfExists(dest);
                    }
                }
            }
        }
        return copied[0] + " attachment blob(s) copied to " + to;
    }

    /** The embedded blob store's root ({@code attachments.dir}, else the data dir's {@code blobs/}); null for S3. */
    private static Path blobRoot(Config config) {
        Config.Attachments a = config.attachments();
        if (a.store().equals("s3")) {
            return null;
        }
        return a.dir() != null ? a.dir() : config.dataDir().resolve("blobs");
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
            List<String> notes = new ArrayList<>();
            for (Kept k : KEPT) {
                notes.add(restoreKept(config, k, source, stamp, keptAside));
            }
            notes.add(restoreBlobs(config, blobsBeside(source)));
            String note = String.join("; ", notes);
            Admin.log(
                    "restore",
                    db.toString(),
                    "from",
                    source.toString(),
                    "schema_version",
                    version,
                    "kept",
                    note,
                    "kept_aside",
                    String.join(", ", keptAside));
            ctx.out()
                    .println("restored " + source + " to " + db + "; " + note
                            + (keptAside.isEmpty() ? "" : "; the files it replaced: " + String.join(", ", keptAside)));
        }
    }

    /** Puts {@code FILE.<name>} in place of the data dir's file; one that differs is kept aside. What it did. */
    private static String restoreKept(Config config, Kept k, Path source, String stamp, List<String> keptAside)
            throws IOException {
        Path saved = sibling(source, "." + k.name());
        Path file = config.dataDir().resolve(k.name());
        if (!Files.isRegularFile(saved)) {
            return "no " + saved.getFileName() + " beside the backup: " + k.name() + " is left as it is";
        }
        if (Files.isRegularFile(file)) {
            if (Files.mismatch(saved, file) == -1) {
                return k.name() + " unchanged (the same as the backup's)";
            }
            Path aside = config.dataDir().resolve(k.name() + ".before-restore-" + stamp);
            Files.move(file, aside);
            keptAside.add(aside.getFileName().toString());
        }
        copyPrivate(saved, file);
        boolean overridden = k.name().equals("jwt-secret") && config.auth().jwtSecret() != null;
        return k.name() + " restored from " + saved + (overridden ? " (but " + k.setting() + " is set, and wins)" : "");
    }

    /**
     * Copies the blobs of {@code FILE.blobs/} that the blob directory lacks (a blob with the same key is the same
     * blob: keys are never reused); blobs the directory has beyond the backup's are left as they are (the restored
     * database refers to none of them).
     */
    private static String restoreBlobs(Config config, Path saved) throws IOException {
        if (!Files.isDirectory(saved)) {
            return "no " + saved.getFileName() + " beside the backup: the attachments' blobs are left as they are";
        }
        Path root = blobRoot(config);
        if (root == null) {
            return saved.getFileName() + " not restored: attachments are in S3 now (copy them to the bucket by hand)";
        }
        long copied = 0;
        long present = 0;
        try (Stream<Path> walk = Files.walk(saved)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path dest = root.resolve(saved.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else if (Files.exists(dest)) {
                    present++;
                } else {
                    Path partial = dest.resolveSibling(dest.getFileName() + ".restoring");
                    Files.copy(p, partial, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                    Files.move(partial, dest, StandardCopyOption.ATOMIC_MOVE);
                    copied++;
                }
            }
        }
        return copied + " attachment blob(s) restored to " + root
                + (present > 0 ? " (" + present + " already there)" : "");
    }

    private static void requireSqlite(Config config, String tool) throws Admin.Failure {
        if (!config.store().isSqlite()) {
            throw new Admin.Failure("the store is PostgreSQL (" + config.store().url() + "): use " + tool
                    + "; keep the JWT secret (auth.jwt-secret) and the data dir's vapid-keys with it");
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

    private static Path blobsBeside(Path backup) {
        return sibling(backup, ".blobs");
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
