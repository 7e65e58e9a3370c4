package io.parley.server;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * One node per data directory: an exclusive lock on {@code parley.lock} in the data dir, held (with a {@link
 * FileChannel} lock, which the operating system releases when the process ends, even on SIGKILL) from the start of a
 * node until its stop. A second node on the same dir, in another process or in this one, is refused with a message
 * naming the dir and the holder (its pid and start time, which the holder writes into the file).
 * <p>
 * The file is never deleted: a process that deletes its lock file on stop could let two later processes lock two
 * different files of the same name. What it holds after a stop (the last holder) means nothing while it is unlocked.
 * <p>
 * File locks belong to the process, not to the channel: a second channel on the same file in this JVM could not lock
 * it, and closing that channel would release the first one's lock on Linux (POSIX record locks). So the dirs this
 * process holds are kept here, and a dir held here is refused before any channel is opened on its file.
 */
final class DataDirLock implements AutoCloseable {
    static final String FILE_NAME = "parley.lock";

    /** Data dirs (real paths) locked by this process, with their holder's description. Guarded by itself. */
    private static final Map<Path, String> HELD = new HashMap<>();

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code dataDir} (which must exist) for this process, writing its pid and {@code since} into the lock file.
     *
     * @throws IllegalStateException when another node, here or in another process, holds the dir
     * @throws UncheckedIOException when the lock file cannot be opened, locked or written
     */
    static DataDirLock acquire(Path dataDir, Instant since) {
        Path dir;
        try {
            dir = dataDir.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open data dir " + dataDir.toAbsolutePath(), e);
        }
        synchronized (HELD) {
            String heldHere = HELD.get(dir);
            if (heldHere != null) {
                throw inUse(dir, "another node of this process (" + heldHere + ")");
            }
            Path file = dir.resolve(FILE_NAME);
            FileChannel channel;
            try {
                channel = FileChannel.open(
                        file, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open the data dir's lock file " + file, e);
            }
            try {
                FileLock lock = tryLock(channel);
                if (lock == null) {
                    throw inUse(dir, "another process (" + holder(channel) + ")");
                }
                String holder = "pid " + ProcessHandle.current().pid() + ", started " + since;
                channel.truncate(0);
                channel.write(
                        ByteBuffer.wrap(
                                ("pid=" + ProcessHandle.current().pid() + "\nstarted=" + since + "\n").getBytes(UTF_8)),
                        0);
                HELD.put(dir, holder);
                return new DataDirLock(dir, channel, lock);
            } catch (IOException | RuntimeException e) {
                closeAfter(channel, e);
                if (e instanceof IOException io) {
                    throw new UncheckedIOException("cannot lock the data dir's lock file " + file, io);
                }
                throw (RuntimeException) e;
            }
        }
    }

    /** Null when another process holds the lock (or, should the map above miss it, this JVM). */
    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null;
        }
    }

    /** What the holder wrote into the file: "pid 1234, started 2026-12-01T10:00:00Z", or why that is unknown. */
    private static String holder(FileChannel channel) {
        Map<String, String> fields = new HashMap<>();
        try {
            ByteBuffer content = ByteBuffer.allocate(256);
            while (content.hasRemaining() && channel.read(content, content.position()) > 0) {
                // read on until the file (or the buffer) ends
            }
            for (String line : new String(content.array(), 0, content.position(), UTF_8).split("\n", -1)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    fields.put(line.substring(0, eq), line.substring(eq + 1).trim());
                }
            }
        } catch (IOException e) {
            // Where locks are mandatory (Windows) the locked file cannot be read: the refusal stands, without a pid.
            return "holder unknown: " + e.getMessage();
        }
        if (!fields.containsKey("pid")) {
            return "holder unknown";
        }
        return "pid " + fields.get("pid") + (fields.containsKey("started") ? ", started " + fields.get("started") : "");
    }

    private static IllegalStateException inUse(Path dir, String holder) {
        return new IllegalStateException("data dir " + dir + " is in use by " + holder
                + ": stop that node first, or give this one a data.dir of its own");
    }

    private static void closeAfter(FileChannel channel, Exception failure) {
        try {
            channel.close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    Path dir() {
        return dir;
    }

    /** Releases the lock (the file stays). Idempotent. */
    @Override
    public void close() throws IOException {
        synchronized (HELD) {
            if (!channel.isOpen()) {
                return;
            }
            try {
                lock.release();
            } finally {
                channel.close();
                HELD.remove(dir);
            }
        }
    }
}
