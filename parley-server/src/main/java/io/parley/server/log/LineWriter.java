package io.parley.server.log;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.ErrorManager;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * The process's one log handler: formats a record on the logging thread and queues the line; a daemon thread of its
 * own ({@code parley-log}) writes the lines to the stream. So an event loop that logs never waits for stderr (a slow
 * pipe, a full disk behind journald). When the queue is full the line is dropped and counted, and the next write
 * says how many were lost ({@code log_lines_dropped}), instead of stalling the caller.
 */
final class LineWriter extends Handler {
    static final int CAPACITY = 16_384;
    /** Queued by close: a formatted line is never empty (it ends with its line break). */
    private static final String END = "";

    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    private final OutputStream out;
    private final Thread writer;
    private volatile boolean closed;

    LineWriter(OutputStream out, java.util.logging.Formatter formatter) {
        this.out = out;
        setFormatter(formatter);
        setLevel(Level.ALL);
        writer = new Thread(this::drain, "parley-log");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public void publish(LogRecord r) {
        if (closed || !isLoggable(r)) {
            return;
        }
        String line;
        try {
            line = getFormatter().format(r);
        } catch (RuntimeException e) {
            reportError("cannot format a log record", e, ErrorManager.FORMAT_FAILURE);
            return;
        }
        if (!queue.offer(line)) {
            dropped.incrementAndGet();
        }
    }

    private void drain() {
        try {
            while (true) {
                String line = queue.take();
                while (line != null) {
                    if (line.isEmpty()) {
                        out.flush();
                        return;
                    }
                    write(line);
                    line = queue.poll();
                }
                long lost = dropped.getAndSet(0);
                if (lost > 0) {
                    LogRecord r = new LogRecord(Level.WARNING, "log_lines_dropped");
                    r.setLoggerName("io.parley.log");
                    r.setParameters(new Object[] {new Fields(new Object[] {"count", lost, "queue", CAPACITY})});
                    write(getFormatter().format(r));
                }
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            reportError("cannot write the log", e, ErrorManager.WRITE_FAILURE);
        }
    }

    private void write(String line) throws IOException {
        out.write(line.getBytes(StandardCharsets.UTF_8));
    }

    /** Waits (up to 100 ms) until what was queued so far is written: for tests and before a process exits. */
    @Override
    public void flush() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        while (!queue.isEmpty() && System.nanoTime() < deadline && writer.isAlive()) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    /** Writes what is queued (waiting up to 2 s for that), then stops the writer; later records are ignored. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (queue.offer(END, 2, TimeUnit.SECONDS)) {
                writer.join(2000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
