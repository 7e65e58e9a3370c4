package io.parley.server;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Owns a node's parts in the order they were created and closes them in reverse, so a part is always closed before
 * the parts it was built on (the bus before the presence and Redis connections it publishes through; Vert.x before
 * the store its handlers call). One lifecycle serves both ends of a node's life: a start that fails at any step
 * closes exactly what exists so far, and a stop closes everything, by the same code.
 * <p>
 * Each close is isolated: one that throws does not skip the ones after it, and its failure is never swallowed but
 * added, named by its part, as a suppressed exception to what the caller reports. Closing twice closes nothing the
 * second time (parts are taken off as they are closed). Not bound to a thread; calls are serialised.
 */
final class Lifecycle {
    /** How one part is released; may block (it runs on a plain thread, never on an event loop). */
    @FunctionalInterface
    interface Closer {
        void close() throws Exception;
    }

    private record Part(String name, Closer closer) {}

    private final Deque<Part> parts = new ArrayDeque<>();

    /** Registers {@code part}, released by {@code closer}; returns the part so creation and ownership are one line. */
    synchronized <T> T own(String name, T part, Closer closer) {
        parts.push(new Part(name, closer));
        return part;
    }

    /** As {@link #own(String, Object, Closer)} for a part that closes itself. */
    <T extends AutoCloseable> T own(String name, T part) {
        return own(name, part, part::close);
    }

    /** The parts not closed yet, newest first (for tests and failure messages). */
    synchronized List<String> names() {
        return parts.stream().map(Part::name).toList();
    }

    /**
     * Closes every part, newest first. Throws, after all were tried, an {@link IllegalStateException} carrying each
     * failure as a suppressed exception; returns normally when every close succeeded.
     */
    void close() {
        IllegalStateException failed = closeAfter(new IllegalStateException("closing the node failed"));
        if (failed.getSuppressed().length > 0) {
            throw failed;
        }
    }

    /**
     * Closes every part, newest first, adding each close's failure to {@code cause} as a suppressed exception (the
     * start failure that made the node close stays the one reported). Returns {@code cause}.
     */
    synchronized <E extends Throwable> E closeAfter(E cause) {
        while (!parts.isEmpty()) {
            Part p = parts.pop();
            try {
                p.closer().close();
            } catch (Throwable t) {
                if (t instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                cause.addSuppressed(new IllegalStateException("closing " + p.name() + " failed: " + t, t));
            }
        }
        return cause;
    }
}
