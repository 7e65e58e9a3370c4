package io.parley.server.gateway;

import java.util.ArrayList;

/**
 * Batched socket flushes, per event-loop thread. Inside {@link #batch}, a frame written to a socket is not flushed at
 * once: its transport is marked, and every marked transport is flushed once when the batch ends. The fanout of one
 * event runs as one batch per event loop, so a socket that receives several frames in it (a user with several
 * sessions, events queued while catching up) pays for one {@code write} system call. Outside a batch every frame is
 * flushed when written, so nothing waits behind unrelated work on the loop.
 */
final class Flusher {
    private static final ThreadLocal<Flusher> CURRENT = ThreadLocal.withInitial(Flusher::new);

    private final ArrayList<WsTransport> marked = new ArrayList<>();
    private int depth;

    private Flusher() {
    }

    /** The flusher of the calling thread (an event loop). */
    static Flusher current() {
        return CURRENT.get();
    }

    /** Runs {@code work} as one batch: frames it writes are flushed when it returns (or throws). */
    static void batch(Runnable work) {
        Flusher f = CURRENT.get();
        f.depth++;
        try {
            work.run();
        } finally {
            if (--f.depth == 0) {
                f.flushMarked();
            }
        }
    }

    /** True inside {@link #batch}: the caller marks instead of flushing. */
    boolean batching() {
        return depth > 0;
    }

    /** The transport wrote without flushing; it is flushed when the batch ends. Called once until flushed. */
    void mark(WsTransport t) {
        marked.add(t);
    }

    private void flushMarked() {
        for (int i = 0; i < marked.size(); i++) {
            marked.get(i).flushNow();
        }
        marked.clear();
    }
}
